/**
 * One QUIC stream (RFC 9000 §2, §3) as the driver hands it out: bytes in
 * through a handler, bytes out through a queue that the connection pushes
 * into quiche once per event-loop turn.
 *
 * Writes are queued, not handed to quiche at once, so that everything a
 * turn wrote, the FIN included, reaches quiche together: quiche 0.18 can
 * lose a FIN sent alone after its data was acknowledged (README, defect H),
 * and one push per turn is also cheaper than one per write. What quiche
 * cannot take (no flow-control credit, RFC 9000 §4.1) stays queued until
 * the connection finds the stream writable again; `bufferedAmount` is that
 * queue, and `drain` fires when it falls below the high-water mark.
 *
 * Reading stops while paused: quiche then grants the peer no new credit,
 * which is the backpressure of RFC 9000 §4.
 */
import { Buffer } from 'node:buffer';
import { FlushWaiters } from '@wstack/core';
import { quiche } from './native.js';
import type { NativeConnection } from './binding.js';

/** What the stream tells its user. Every method is called synchronously from the driver. */
export interface StreamHandler {
  /** Bytes in order; `fin` once the peer ended its side (the chunk may then be empty). */
  data(chunk: Buffer, fin: boolean): void;
  /** The peer reset its side (RESET_STREAM, RFC 9000 §19.4) with an application code. */
  reset(code: number): void;
  /** The peer asked us to stop sending (STOP_SENDING, RFC 9000 §19.5): our queue is dropped. */
  stopped(code: number): void;
  /** `bufferedAmount` fell below the high-water mark after a write returned false. */
  drain(): void;
  /** The connection ended under the stream. */
  closed(error: Error): void;
}

/** What a stream asks of its connection. */
export interface StreamOwner {
  readonly native: NativeConnection;
  /** Bit 0 of a stream id says who opened it (RFC 9000 §2.1): 1 for the server. */
  readonly isServer: boolean;
  /** The stream has output for quiche: push it at the end of this turn. */
  wantsFlush(stream: QuicStream): void;
  /** The stream was resumed: read what quiche holds for it at the end of this turn. */
  wantsRead(stream: QuicStream): void;
  /** Both directions are over on our side. */
  done(stream: QuicStream): void;
  /** The peer reset a stream before we read it to its end (RESET_STREAM, RFC 9000 §19.4). */
  peerReset(): void;
}

/** A handler that ignores everything: what a stream has until its user sets one, and the base of handlers that need few events. */
export const IGNORE: StreamHandler = {
  data: () => undefined,
  reset: () => undefined,
  stopped: () => undefined,
  drain: () => undefined,
  closed: () => undefined,
};

const EMPTY = Buffer.alloc(0);
const SHUTDOWN_READ = quiche.Shutdown.Read;
const SHUTDOWN_WRITE = quiche.Shutdown.Write;

/** The code of a quiche stream error, e.g. "StreamReset(268)", or undefined. */
export function quicheErrorCode(error: unknown, kind: 'StreamReset' | 'StreamStopped'): number | undefined {
  const message = (error as Error)?.message;
  if (typeof message !== 'string' || !message.startsWith(kind)) return undefined;
  const code = Number(message.slice(kind.length + 1, -1));
  return Number.isSafeInteger(code) ? code : undefined;
}

export class QuicStream {
  handler: StreamHandler = IGNORE;
  /** Above this many queued bytes `write` returns false. */
  highWaterMark = 64 * 1024;
  private queue: Buffer[] = [];
  private queued = 0;
  /** Bytes quiche has taken from this stream so far. */
  private taken = 0;
  /** whenFlushed's callbacks, by the count of bytes quiche has taken (made on the first call: most streams never ask). */
  private flushWaiters: FlushWaiters | undefined;
  /** The FIN went to quiche after every byte: nothing queued was lost. */
  private finSent = false;
  private finQueued = false;
  private needDrain = false;
  private paused = false;
  /** Nothing more will be read: FIN or reset seen, or reading stopped. */
  readEnded: boolean;
  /** Nothing more will be written: FIN handed to quiche, or reset, or stopped by the peer. */
  writeEnded: boolean;

  constructor(
    readonly id: number,
    private readonly owner: StreamOwner,
  ) {
    const unidirectional = (id & 0x2) !== 0;
    const local = (id & 0x1) === (owner.isServer ? 1 : 0);
    this.readEnded = unidirectional && local;
    this.writeEnded = unidirectional && !local;
  }

  /** Bytes queued here that quiche has not taken yet. */
  get bufferedAmount(): number {
    return this.queued;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Queues bytes; false once `bufferedAmount` reached the high-water mark (`drain` follows). */
  write(chunk: Buffer): boolean {
    if (this.writeEnded || this.finQueued) return false;
    if (chunk.length !== 0) {
      if (this.queued === 0) this.owner.wantsFlush(this);
      this.queue.push(chunk);
      this.queued += chunk.length;
    }
    if (this.queued < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /**
   * Calls back once quiche has taken every byte queued so far (it sends
   * and retransmits them from then on); never if the stream is reset or
   * stopped first, which drops what is queued.
   */
  whenFlushed(callback: () => void): void {
    if (this.writeEnded && !this.finSent) return;
    (this.flushWaiters ??= new FlushWaiters()).add(this.taken + this.queued, this.taken, callback);
  }

  /** Ends our side with FIN, after everything queued. */
  end(): void {
    if (this.writeEnded || this.finQueued) return;
    this.finQueued = true;
    this.owner.wantsFlush(this);
  }

  /** Aborts both directions with an application error code (RESET_STREAM and STOP_SENDING). */
  reset(code: number): void {
    this.stopReading(code);
    if (!this.writeEnded) {
      this.writeEnded = true;
      this.dropQueue();
      shutdown(this.owner.native, this.id, SHUTDOWN_WRITE, code);
      // The RESET_STREAM leaves with this turn's flush, whether or not anything else is sent.
      this.owner.wantsFlush(this);
    }
    this.checkDone();
  }

  /** Reads no more and asks the peer to stop sending (STOP_SENDING with `code`). */
  stopReading(code: number): void {
    if (this.readEnded) return;
    this.readEnded = true;
    this.paused = false;
    discardHeld(this.owner.native, this.id);
    shutdown(this.owner.native, this.id, SHUTDOWN_READ, code);
    // The STOP_SENDING leaves with this turn's flush.
    this.owner.wantsFlush(this);
    this.checkDone();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (!this.readEnded) this.owner.wantsRead(this);
  }

  /** Driver: hands what quiche holds for this stream to the handler, until quiche has no more or the stream is paused. */
  pull(scratch: Buffer): void {
    const native = this.owner.native;
    while (!this.paused && !this.readEnded) {
      let result: [number, boolean] | null;
      try {
        result = native.streamRecv(this.id, scratch);
      } catch (error) {
        this.readFailed(error);
        return;
      }
      if (result === null) return;
      const [length, fin] = result;
      if (length === 0 && !fin) return;
      if (fin) this.readEnded = true;
      this.handler.data(length === 0 ? EMPTY : Buffer.from(scratch.subarray(0, length)), fin);
      if (fin) {
        this.checkDone();
        return;
      }
      // quiche fills the buffer while it holds contiguous data: a shorter read drained it (no call just to hear "Done").
      if (length < scratch.length) return;
    }
  }

  /**
   * Driver: a paused stream learns of the peer's RESET_STREAM all the same,
   * or a reader that paused would never hear that the peer gave up. quiche
   * reports the reset to a read of nothing (and drops the data), while a
   * stream that is merely waiting keeps its data.
   */
  noticeReset(): void {
    if (this.readEnded) return;
    try {
      this.owner.native.streamRecv(this.id, EMPTY);
    } catch (error) {
      this.readFailed(error);
    }
  }

  /**
   * Driver: hands the queue to quiche, the FIN with the last bytes. True
   * when something is left that quiche could not take (no credit): the
   * connection tries again once quiche lists the stream as writable.
   */
  push(): boolean {
    if (this.writeEnded) return false;
    const native = this.owner.native;
    try {
      while (this.queue.length !== 0) {
        const chunk = this.queue[0]!;
        const last = this.queue.length === 1 && this.finQueued;
        const sent = native.streamSend(this.id, chunk, last);
        if (sent === null && collected(native, this.id)) return this.forgotten();
        const taken = sent ?? 0;
        this.queued -= taken;
        this.taken += taken;
        if (taken < chunk.length) {
          this.queue[0] = chunk.subarray(taken);
          this.maybeDrain();
          this.settleFlushWaiters();
          return true;
        }
        this.queue.shift();
        if (last) this.finishWrite();
      }
      if (this.finQueued && !this.writeEnded) {
        // The FIN alone: only when end() came with nothing queued in the same turn.
        if (native.streamSend(this.id, EMPTY, true) === null) return collected(native, this.id) ? this.forgotten() : true;
        this.finishWrite();
      }
    } catch (error) {
      this.writeFailed(error);
      return false;
    }
    this.maybeDrain();
    this.settleFlushWaiters();
    return false;
  }

  /**
   * quiche no longer knows the stream while output waits for it.
   * The peer stopped it (STOP_SENDING, RFC 9000 §3.5), quiche reset our
   * side itself, and collected the stream once that reset was acknowledged
   * and we had read the other side to its end, all before we wrote again:
   * what is queued can never leave.
   */
  private forgotten(): false {
    this.writeEnded = true;
    this.dropQueue();
    this.handler.closed(new Error('the peer stopped the QUIC stream, and quiche has forgotten it'));
    this.checkDone();
    return false;
  }

  /** Driver: the connection ended. */
  fail(error: Error): void {
    const unfinished = !this.readEnded || !this.writeEnded;
    this.readEnded = true;
    this.writeEnded = true;
    this.dropQueue();
    if (unfinished) this.handler.closed(error);
  }

  private readFailed(error: unknown): void {
    this.readEnded = true;
    const code = quicheErrorCode(error, 'StreamReset');
    if (code !== undefined) {
      this.owner.peerReset();
      this.handler.reset(code);
    } else {
      this.handler.closed(asError(error));
    }
    this.checkDone();
  }

  private finishWrite(): void {
    this.writeEnded = true;
    this.finSent = true;
    this.finQueued = false;
    this.checkDone();
  }

  private writeFailed(error: unknown): void {
    this.writeEnded = true;
    this.dropQueue();
    const code = quicheErrorCode(error, 'StreamStopped');
    if (code !== undefined) {
      // quiche keeps listing a stopped stream as writable until its send side is reset.
      shutdown(this.owner.native, this.id, SHUTDOWN_WRITE, code);
      this.handler.stopped(code);
    } else {
      this.handler.closed(asError(error));
    }
    this.checkDone();
  }

  private maybeDrain(): void {
    if (this.needDrain && this.queued < this.highWaterMark) {
      this.needDrain = false;
      this.handler.drain();
    }
  }

  private settleFlushWaiters(): void {
    this.flushWaiters?.settle(this.taken);
  }

  private dropQueue(): void {
    this.flushWaiters = undefined;
    this.queue = [];
    this.queued = 0;
    this.finQueued = false;
  }

  private checkDone(): void {
    if (this.readEnded && this.writeEnded) this.owner.done(this);
  }
}

/** Where discardHeld reads what it drops: one per process, used synchronously. */
const DISCARD = Buffer.allocUnsafe(16 * 1024);

/**
 * Reads and drops what quiche holds for a stream we stop reading. quiche 0.18
 * counts the data that arrives after shutdown(Read) as consumed, but not the
 * data it already held then: without this, every stream stopped with data
 * waiting (a message refused at its header while the rest of it had
 * arrived, under load) would take that much of the connection's window
 * (RFC 9000 §4.1) for good, until every stream of the connection stalled.
 */
function discardHeld(native: NativeConnection, id: number): void {
  try {
    for (;;) {
      const result = native.streamRecv(id, DISCARD);
      if (result === null || result[1] || result[0] < DISCARD.length) return;
    }
  } catch {
    // Reset by the peer, or already gone: nothing held to count.
  }
}

/** quiche collects a stream once both directions are complete; after that it knows no such stream (InvalidStreamState) and stream_send answers Done. */
export function collected(native: NativeConnection, id: number): boolean {
  try {
    native.streamCapacity(id);
    return false;
  } catch (error) {
    return quicheErrorCode(error, 'StreamStopped') === undefined;
  }
}

function shutdown(native: NativeConnection, id: number, direction: number, code: number): void {
  try {
    native.streamShutdown(id, direction, code);
  } catch {
    // quiche already forgot the stream, or that direction is over: nothing to shut.
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
