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
  /** Inflates a compressed message's data (permessage-deflate was negotiated); rejects with a ProtocolError. */
  inflate(data: Buffer): Promise<Buffer>;
  /** A message could not be inflated, or inflated to invalid UTF-8: the connection fails. */
  inflationFailed(error: ProtocolError): void;
  /** The carrier's close, held back while a message was inflating, now that it is out. */
  close(error: Error | undefined): void;
  /** Holding started (true) or ended (false): the connection watches for a 'message' listener meanwhile. */
  watch(holding: boolean): void;
  /** The iterator's consumer left the loop early. */
  iterationStopped(): void;
  /** terminate() was called: deliver nothing more. */
  readonly aborted: boolean;
  /** Reading pauses at the high-water mark only while the connection is open: after a close it reads on to the peer's. */
  readonly open: boolean;
  readonly highWaterMark: number;
  pause(): void;
  resume(): void;
  /** Sends what the handled events caused. */
  flush(): void;
}

/** The async iterator's state, made when iteration starts. */
interface Iteration {
  /** The consumer left the loop, or it threw the connection's failure. */
  stopped: boolean;
  /** A `next()` waiting for a message. */
  waiting: { resolve: (result: IteratorResult<Message>) => void; reject: (error: Error) => void } | undefined;
  /** How the connection ended, once it did. */
  ended: CloseDetails | undefined;
}

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
  private iteration: Iteration | undefined;
  /** The carrier closed while a message was inflating: its close waits for it. */
  private closedWith: { error: Error | undefined } | undefined;
  /** Messages received, and their payload bytes once inflated. */
  messages = 0;
  payloadBytes = 0;

  constructor(private readonly owner: InboundOwner) {}

  /**
   * The carrier closed. True when a message is still inflating: the
   * messages that arrived before the end come before the close event, so
   * the owner's `close` is called again once they are out.
   */
  holdClose(error: Error | undefined): boolean {
    if (!this.inflating) return false;
    this.closedWith = { error };
    return true;
  }

  /** Takes the protocol's next event. */
  push(event: ProtocolEvent): void {
    if (event.type === 'message' && !event.compressed) this.received(event.data.length);
    // The common case, nothing waiting: straight through.
    if (this.events.length === 0 && this.iteration === undefined) {
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
    this.discard(this.done, this.events.length - this.done);
    this.inflating = false;
  }

  /** The connection ended: the iterator ends after the messages before the end, or throws on a failure. */
  finish(details: CloseDetails): void {
    const iteration = this.iteration;
    if (iteration === undefined) return;
    iteration.ended = details;
    if (iteration.waiting !== undefined && this.done === 0) this.settleEnd(iteration);
  }

  /** A 'message' listener was added while holding: hands the held events over once it is in place (after `on` returns). */
  releaseSoon(): void {
    // Several listeners added in one turn make one release: the later microtasks find nothing held.
    queueMicrotask(() => {
      if (this.holding) this.release();
    });
  }

  /** Starts the async iterator; `ended` when the connection closed already. */
  iterate(ended: CloseDetails | undefined): AsyncIterator<Message> {
    if (this.iteration !== undefined) throw new UsageError('INVALID_STATE', 'the connection is already being iterated');
    this.iteration = { stopped: false, waiting: undefined, ended };
    if (this.holding) this.release();
    return { next: () => this.next(), return: () => this.leave() };
  }

  private received(bytes: number): void {
    this.messages++;
    this.payloadBytes += bytes;
  }

  private count(delta: number): void {
    this.bytes += delta;
    if (!this.paused && this.bytes >= this.owner.highWaterMark && this.owner.open) {
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
    const iteration = this.iteration;
    if (iteration !== undefined && !iteration.stopped) {
      this.owner.emitMessage(message);
      if (iteration.waiting !== undefined && this.done === 0) return this.take(iteration, iteration.waiting.resolve);
      this.done++;
    } else if (!this.holding && (this.owner.emitMessage(message) || iteration !== undefined)) {
      this.remove(this.done);
    } else {
      if (!this.holding) {
        this.holding = true;
        this.owner.watch(true);
      }
      this.done++;
    }
  }

  /** Takes the message at `index` out of the buffer; reading resumes once below the high-water mark. */
  private remove(index: number): void {
    this.discard(index, 1);
    if (this.paused && this.bytes < this.owner.highWaterMark) this.readOn();
  }

  /** Drops `count` events from `start`, and their messages' bytes from the count. */
  private discard(start: number, count: number): void {
    for (const event of this.events.splice(start, count)) if (event.type === 'message') this.bytes -= event.data.length;
  }

  private inflate(message: MessageEvent): void {
    if (this.inflating) return;
    this.inflating = true;
    this.owner.inflate(message.data).then(
      (data) => {
        if (this.owner.aborted || !this.inflating) return;
        this.inflating = false;
        // Text is checked once inflated (RFC 7692 §6: RSV1 messages carry compressed UTF-8).
        if (!message.binary && !isUtf8(data)) return this.fail(new ProtocolError('INVALID_UTF8', 'inflated text message is not valid UTF-8'));
        this.received(data.length);
        this.events[this.done] = { type: 'message', binary: message.binary, data, compressed: false };
        this.count(data.length - message.data.length);
        this.process();
        if (this.inflating) return;
        this.owner.flush();
        this.releaseClose();
      },
      (error: ProtocolError) => {
        if (!this.owner.aborted && this.inflating) this.fail(error);
      },
    );
  }

  private fail(error: ProtocolError): void {
    this.stop();
    this.owner.inflationFailed(error);
    this.releaseClose();
  }

  private releaseClose(): void {
    const closed = this.closedWith;
    if (closed === undefined) return;
    this.closedWith = undefined;
    this.owner.close(closed.error);
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
    const iteration = this.iteration!;
    return new Promise((resolve, reject) => {
      if (this.done > 0) return this.take(iteration, resolve);
      iteration.waiting = { resolve, reject };
      if (iteration.ended !== undefined || iteration.stopped) this.settleEnd(iteration);
    });
  }

  /** Hands the first message of the buffer to the iterator. */
  private take(iteration: Iteration, resolve: (result: IteratorResult<Message>) => void): void {
    iteration.waiting = undefined;
    const message = this.events[0] as MessageEvent;
    if (this.done > 0) this.done--;
    this.remove(0);
    resolve({ value: message, done: false });
  }

  private leave(): Promise<IteratorResult<Message>> {
    const iteration = this.iteration!;
    if (!iteration.stopped && iteration.ended === undefined) {
      this.discard(0, this.done);
      this.done = 0;
      this.readOn();
      this.owner.iterationStopped();
    }
    iteration.stopped = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  private settleEnd(iteration: Iteration): void {
    const { resolve, reject } = iteration.waiting!;
    iteration.waiting = undefined;
    const error = iteration.ended?.wasClean === false ? iteration.ended.error : undefined;
    if (error !== undefined && !iteration.stopped) {
      iteration.stopped = true;
      reject(error);
    } else {
      resolve({ value: undefined, done: true });
    }
  }
}
