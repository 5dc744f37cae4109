/**
 * Events that arrived before anyone consumed messages (the application
 * attaches its listener after `await connect(…)`, say): the messages, and
 * every event behind them, wait with backpressure until a 'message'
 * listener or an iterator arrives. A close or a failure behind them waits
 * one turn of the event loop at most (the messages stay held for a later
 * consumer), so that a connection nobody reads from still closes.
 */
import type { ProtocolEvent } from '@wstack/protocol';
import type { Message } from './message-queue.js';

/** What the held events ask of their connection. */
export interface HeldOwner {
  /** Handles an event that is not a message (or a message, once a consumer came). */
  handle(event: ProtocolEvent): void;
  deliver(message: Message): void;
  /** Holding started (true) or ended (false): the connection watches for a 'message' listener meanwhile. */
  watch(holding: boolean): void;
  /** terminate() was called: deliver nothing more. */
  readonly aborted: boolean;
  /** Reading pauses at the high-water mark only while the connection is open. */
  readonly open: boolean;
  pause(): void;
  resume(): void;
  flush(): void;
}

export class HeldEvents {
  private events: ProtocolEvent[] | undefined;
  private bytes = 0;
  private paused = false;
  private releasing = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly owner: HeldOwner,
  ) {}

  /** Events are held: everything behind them waits too, so that nothing overtakes them. */
  get holding(): boolean {
    return this.events !== undefined;
  }

  hold(event: ProtocolEvent): void {
    if (this.events === undefined) {
      this.events = [];
      this.bytes = 0;
      this.owner.watch(true);
    }
    this.events.push(event);
    if (event.type === 'message') {
      this.bytes += event.data.length;
      if (!this.paused && this.bytes >= this.highWaterMark && this.owner.open) {
        this.paused = true;
        this.owner.pause();
      }
    } else if (event.type === 'close' || event.type === 'error') {
      setImmediate(() => this.releaseControl());
    }
  }

  /** The peer's close comes behind whatever it sent before: read on to it (RFC 6455 §7.1.1). */
  readOn(): void {
    if (!this.paused) return;
    this.paused = false;
    this.owner.resume();
  }

  /** Hands the held events over once a new listener is in place (after `on` returns). */
  releaseSoon(): void {
    if (this.events === undefined || this.releasing) return;
    this.releasing = true;
    queueMicrotask(() => {
      this.releasing = false;
      this.release();
    });
  }

  /** Hands every held event over, in order. */
  release(): void {
    const events = this.events;
    if (events === undefined) return;
    this.events = undefined;
    this.owner.watch(false);
    for (const event of events) {
      if (this.owner.aborted) break;
      if (event.type === 'message') this.owner.deliver(event);
      else this.owner.handle(event);
    }
    this.readOn();
    this.owner.flush();
  }

  /** Lets the held events other than messages through, in order; the messages stay held. */
  private releaseControl(): void {
    const events = this.events;
    if (events === undefined) return;
    // Handled as if nothing were held, with the messages set aside.
    this.events = undefined;
    for (const event of events) if (event.type !== 'message') this.owner.handle(event);
    this.events = events.filter((event) => event.type === 'message');
    this.owner.flush();
  }
}
