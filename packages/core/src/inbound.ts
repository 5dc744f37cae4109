/**
 * The inbound pipeline of a connection: the protocol's events go in, in
 * order; compressed messages are inflated (RFC 7692 §7.2.2, asynchronously,
 * everything behind them waiting); messages are delivered to the 'message'
 * listeners or wait for the async iterator. Everything waits in one buffer
 * with one byte count: reading from the carrier pauses while the count is at
 * or above the high-water mark, so a slow consumer slows the peer down
 * instead of filling memory.
 *
 * Three ways a message is consumed:
 * - listeners: delivered as soon as it is ready;
 * - the iterator: it waits in the buffer for `next()` (listeners hear it when
 *   it is ready); control events pass it;
 * - nobody yet (the application adds its listener after `await connect()`):
 *   it is held, and everything behind it waits until a listener or an
 *   iterator arrives. A close or a failure among the held events waits one
 *   turn of the event loop at most (the messages stay held for a later
 *   consumer), so that a connection nobody reads from still closes.
 */
import { isUtf8 } from 'node:buffer';
import { ProtocolError, UsageError, type MessageEvent, type ProtocolEvent } from '@wstack/protocol';
import type { CloseDetails } from './connection-types.js';
import type { PerMessageDeflate } from './deflate.js';

export interface Message {
  data: Buffer;
  binary: boolean;
}

/** The events other than messages. */
export type ControlEvent = Exclude<ProtocolEvent, MessageEvent>;

/** What the pipeline asks of its connection. */
export interface InboundOwner {
  handle(event: ControlEvent): void;
  /** Emits a message to the 'message' listeners; false when there are none. */
  emitMessage(message: Message): boolean;
  /** A message could not be inflated, or inflated to invalid UTF-8: the connection fails. */
  inflationFailed(error: ProtocolError): void;
  /** Inflation caught up: nothing waits behind a compressed message any more. */
  settled(): void;
  /** Holding started (true) or ended (false): the connection watches for a 'message' listener meanwhile. */
  watch(holding: boolean): void;
  /** The iterator's consumer left the loop early. */
  iterationStopped(): void;
  /** terminate() was called: deliver nothing more. */
  readonly aborted: boolean;
  /** Reading pauses at the high-water mark only while the connection is open: after a close it reads on to the peer's. */
  readonly open: boolean;
  pause(): void;
  resume(): void;
  /** Sends what the handled events caused. */
  flush(): void;
}

type Iteration = 'none' | 'active' | 'stopped';

export class Inbound {
  /**
   * In order: first `done` events that wait for a consumer (ready messages,
   * and while holding, the control events behind them), then events not yet
   * processed, the first of which is the message being inflated.
   */
  private readonly events: ProtocolEvent[] = [];
  private done = 0;
  private bytes = 0;
  private paused = false;
  private inflating = false;
  private holding = false;
  private releasing = false;
  private iteration: Iteration = 'none';
  private waiting: { resolve: (result: IteratorResult<Message>) => void; reject: (error: Error) => void } | undefined;
  private ended: CloseDetails | undefined;

  constructor(
    private readonly highWaterMark: number,
    private readonly owner: InboundOwner,
    private readonly deflate: PerMessageDeflate | undefined,
    private readonly maxMessageSize: number,
  ) {}

  /** A message is being inflated: the connection's close event waits for it. */
  get active(): boolean {
    return this.inflating;
  }

  /** Takes the protocol's next event. */
  push(event: ProtocolEvent): void {
    // The common case, nothing waiting: straight through.
    if (this.events.length === 0 && this.iteration === 'none') {
      if (event.type !== 'message') return this.owner.handle(event);
      if (!event.compressed && this.owner.emitMessage(event)) return;
    }
    this.events.push(event);
    if (event.type === 'message') this.count(event.data.length);
    // Anything else unprocessed waits behind a message being inflated.
    if (this.events.length - this.done === 1) this.process();
  }

  /** The peer's close comes behind whatever it sent before: read on to it (RFC 6455 §7.1.1). */
  readOn(): void {
    if (!this.paused) return;
    this.paused = false;
    this.owner.resume();
  }

  /** The connection closed: what was not processed is dropped; ready messages stay for a consumer. */
  stop(): void {
    for (const event of this.events.splice(this.done)) if (event.type === 'message') this.bytes -= event.data.length;
    this.inflating = false;
  }

  /** The connection ended: the iterator ends after the messages before the end, or throws on a failure. */
  finish(details: CloseDetails): void {
    this.ended = details;
    if (this.waiting !== undefined && this.done === 0) this.settleEnd();
  }

  /** A 'message' listener was added: hands the held events over once it is in place (after `on` returns). */
  releaseSoon(): void {
    if (!this.holding || this.releasing) return;
    this.releasing = true;
    queueMicrotask(() => {
      this.releasing = false;
      if (this.holding) this.release();
    });
  }

  iterate(): AsyncIterator<Message> {
    if (this.iteration !== 'none') throw new UsageError('INVALID_STATE', 'the connection is already being iterated');
    this.iteration = 'active';
    if (this.holding) this.release();
    return { next: () => this.next(), return: () => this.leave() };
  }

  private count(delta: number): void {
    this.bytes += delta;
    if (!this.paused && this.bytes >= this.highWaterMark && this.owner.open) {
      this.paused = true;
      this.owner.pause();
    }
  }

  /** Processes the events after the first `done`, up to a compressed message (whose inflation starts). */
  private process(): void {
    while (this.done < this.events.length && !this.owner.aborted) {
      const event = this.events[this.done]!;
      if (event.type === 'message') {
        if (event.compressed) return this.inflate(event);
        this.ready(event);
      } else if (this.holding) {
        this.done++;
        if (event.type === 'close' || event.type === 'error') setImmediate(() => this.releaseControl());
      } else {
        this.events.splice(this.done, 1);
        this.owner.handle(event);
      }
    }
  }

  /** A message at position `done` is ready: delivered, left for the iterator, or held. */
  private ready(message: Message): void {
    if (this.iteration === 'active') {
      this.owner.emitMessage(message);
      if (this.waiting !== undefined && this.done === 0) return this.take(this.waiting.resolve);
      this.done++;
    } else if (!this.holding && (this.iteration === 'stopped' || this.owner.emitMessage(message))) {
      this.remove(this.done);
    } else {
      if (!this.holding) {
        this.holding = true;
        this.owner.watch(true);
      }
      this.done++;
    }
  }

  /** Takes the message at `index` out of the buffer. */
  private remove(index: number): void {
    this.bytes -= (this.events.splice(index, 1)[0] as MessageEvent).data.length;
    if (this.paused && this.bytes < this.highWaterMark) this.readOn();
  }

  private inflate(message: MessageEvent): void {
    if (this.inflating) return;
    this.inflating = true;
    this.deflate!.decompress(message.data, this.maxMessageSize).then(
      (data) => {
        if (this.owner.aborted || !this.inflating) return;
        this.inflating = false;
        // Text is checked once inflated (RFC 7692 §6: RSV1 messages carry compressed UTF-8).
        if (!message.binary && !isUtf8(data)) return this.fail(new ProtocolError('INVALID_UTF8', 'inflated text message is not valid UTF-8'));
        this.events[this.done] = { type: 'message', binary: message.binary, data, compressed: false };
        this.count(data.length - message.data.length);
        this.process();
        if (!this.inflating) this.owner.settled();
      },
      (error: ProtocolError) => {
        if (!this.owner.aborted && this.inflating) this.fail(error);
      },
    );
  }

  private fail(error: ProtocolError): void {
    this.stop();
    this.owner.inflationFailed(error);
  }

  /** Hands every held event over, in order, now that there is a consumer. */
  private release(): void {
    this.holding = false;
    this.owner.watch(false);
    // Processed again from the start: a message nobody takes (the listener is gone again) is held anew.
    this.done = 0;
    this.process();
    this.owner.flush();
  }

  /** Lets the held events other than messages through, in order; the messages stay held. */
  private releaseControl(): void {
    let i = 0;
    while (this.holding && i < this.done) {
      const event = this.events[i]!;
      if (event.type === 'message') {
        i++;
        continue;
      }
      this.events.splice(i, 1);
      this.done--;
      this.owner.handle(event);
    }
    this.owner.flush();
  }

  private next(): Promise<IteratorResult<Message>> {
    return new Promise((resolve, reject) => {
      if (this.done > 0) this.take(resolve);
      else if (this.ended !== undefined || this.iteration === 'stopped') {
        this.waiting = { resolve, reject };
        this.settleEnd();
      } else this.waiting = { resolve, reject };
    });
  }

  /** Hands the first message of the buffer to the iterator. */
  private take(resolve: (result: IteratorResult<Message>) => void): void {
    this.waiting = undefined;
    const message = this.events[0] as MessageEvent;
    if (this.done > 0) this.done--;
    this.remove(0);
    resolve({ value: message, done: false });
  }

  private leave(): Promise<IteratorResult<Message>> {
    if (this.iteration === 'active' && this.ended === undefined) {
      this.iteration = 'stopped';
      for (const event of this.events.splice(0, this.done)) if (event.type === 'message') this.bytes -= event.data.length;
      this.done = 0;
      this.readOn();
      this.owner.iterationStopped();
    }
    this.iteration = 'stopped';
    return Promise.resolve({ value: undefined, done: true });
  }

  private settleEnd(): void {
    const { resolve, reject } = this.waiting!;
    this.waiting = undefined;
    const error = this.ended?.wasClean === false ? this.ended.error : undefined;
    if (error !== undefined && this.iteration === 'active') {
      this.iteration = 'stopped';
      reject(error);
    } else {
      resolve({ value: undefined, done: true });
    }
  }
}
