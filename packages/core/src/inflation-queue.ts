/**
 * The inbound side of permessage-deflate (RFC 7692 §7.2.2): a compressed
 * message is inflated asynchronously, and every event behind it waits, in
 * order, until it is out. Reading pauses while more than the high-water
 * mark waits.
 */
import { isUtf8 } from 'node:buffer';
import { ProtocolError, type MessageEvent, type ProtocolEvent } from '@wstack/protocol';
import type { PerMessageDeflate } from './deflate.js';

/** What the queue asks of its connection. */
export interface InflationOwner {
  /** The next event, in order; a compressed message arrives inflated. */
  handle(event: ProtocolEvent): void;
  /** A message could not be inflated, or inflated to invalid UTF-8: the connection fails. */
  inflationFailed(error: ProtocolError): void;
  /** Nothing waits any more. */
  settled(): void;
  /** terminate() was called: deliver nothing more. */
  readonly aborted: boolean;
  pause(): void;
  resume(): void;
}

export class InflationQueue {
  /** Events behind the message being inflated (it first); undefined when nothing is inflating. */
  private waiting: ProtocolEvent[] | undefined;
  private waitingBytes = 0;
  private paused = false;

  constructor(
    private readonly deflate: PerMessageDeflate,
    private readonly maxMessageSize: number,
    private readonly highWaterMark: number,
    private readonly owner: InflationOwner,
  ) {}

  /** A message is being inflated: the carrier's end waits for it. */
  get active(): boolean {
    return this.waiting !== undefined;
  }

  /** Takes the protocol's next event: handled now, unless a message before it is still inflating. */
  push(event: ProtocolEvent): void {
    if (this.waiting !== undefined) return this.wait(event);
    if (event.type !== 'message' || !event.compressed) return this.owner.handle(event);
    this.waiting = [];
    this.waitingBytes = 0;
    this.wait(event);
    this.inflateNext();
  }

  /** Forgets what waits (the connection failed or closed). */
  stop(): void {
    this.waiting = undefined;
  }

  private wait(event: ProtocolEvent): void {
    this.waiting!.push(event);
    if (event.type === 'message') this.waitingBytes += event.data.length;
    if (!this.paused && this.waitingBytes >= this.highWaterMark) {
      this.paused = true;
      this.owner.pause();
    }
  }

  /** Inflates the compressed message at the head of the queue, then hands over what follows it. */
  private inflateNext(): void {
    const message = this.waiting![0] as MessageEvent;
    this.deflate.decompress(message.data, this.maxMessageSize).then(
      (data) => {
        if (this.owner.aborted || this.waiting === undefined) return;
        // Text is checked once inflated (RFC 7692 §6: RSV1 messages carry compressed UTF-8).
        if (!message.binary && !isUtf8(data)) return this.fail(new ProtocolError('INVALID_UTF8', 'inflated text message is not valid UTF-8'));
        this.waiting.shift();
        this.waitingBytes -= message.data.length;
        this.owner.handle({ type: 'message', binary: message.binary, data, compressed: false });
        while (this.waiting.length !== 0) {
          if (this.owner.aborted) return;
          const next = this.waiting[0]!;
          if (next.type === 'message' && next.compressed) return this.inflateNext();
          this.waiting.shift();
          if (next.type === 'message') this.waitingBytes -= next.data.length;
          this.owner.handle(next);
        }
        this.waiting = undefined;
        if (this.paused) {
          this.paused = false;
          this.owner.resume();
        }
        this.owner.settled();
      },
      (error: ProtocolError) => {
        if (!this.owner.aborted && this.waiting !== undefined) this.fail(error);
      },
    );
  }

  private fail(error: ProtocolError): void {
    this.waiting = undefined;
    this.owner.inflationFailed(error);
  }
}
