/**
 * The connection's sends, in the order they were made. Compression is
 * asynchronous, so a send may have to wait: while a step runs, later sends
 * (data, ping, pong, close alike) queue behind it. With nothing waiting, a
 * synchronous step runs at once and costs no allocation.
 */

/** One send; a promise holds the queue until it settles. */
export type Step = () => void | Promise<void>;

export interface OutboundTarget {
  /** Writes what the steps produced. */
  flush(): void;
  /** A queued step finished: the queued amount went down. */
  progressed(): void;
  /** A step failed (compression): the connection cannot go on. */
  failed(error: Error): void;
}

interface Queued {
  step: Step;
  size: number;
}

export class Outbound {
  /** Bytes of data waiting in the queue or being compressed, not yet framed. */
  queuedBytes = 0;
  private readonly waiting: Queued[] = [];
  private busy = false;
  private stopped = false;

  constructor(private readonly target: OutboundTarget) {}

  /** Nothing runs and nothing waits. */
  get idle(): boolean {
    return !this.busy && this.waiting.length === 0;
  }

  /** Runs `step` now if the queue is idle, else after everything before it. */
  enqueue(size: number, step: Step): void {
    this.queuedBytes += size;
    if (!this.idle) {
      this.waiting.push({ step, size });
      return;
    }
    this.run(step, size);
  }

  /** Drops what waits (the connection is gone). */
  stop(): void {
    this.stopped = true;
    this.waiting.length = 0;
    this.queuedBytes = 0;
  }

  private run(step: Step, size: number): void {
    const result = step();
    this.target.flush();
    if (result === undefined) {
      this.queuedBytes -= size;
      return;
    }
    this.busy = true;
    result.then(
      () => {
        this.busy = false;
        if (this.stopped) return;
        this.queuedBytes -= size;
        this.target.flush();
        this.next();
      },
      (error: Error) => {
        this.busy = false;
        if (!this.stopped) this.target.failed(error);
      },
    );
  }

  private next(): void {
    while (!this.stopped && !this.busy) {
      const queued = this.waiting.shift();
      if (queued === undefined) break;
      this.run(queued.step, queued.size);
    }
    this.target.progressed();
  }
}
