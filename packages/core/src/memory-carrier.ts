/**
 * Two carriers joined in memory, for tests: bytes written on one side arrive
 * on the other a turn of the event loop later, copied as a network would.
 * Reading honours pause(); undelivered bytes count as the writer's buffered
 * amount, so backpressure reaches the writer as it would over a socket.
 */
import type { Carrier, CarrierEvents, Transport } from './carrier.js';
import { FlushWaiters } from './flush-waiters.js';

export interface MemoryCarrierOptions {
  transport?: Transport;
  /** See Carrier.endsAfterCloseFrame. Default: false, as over TCP. */
  endsAfterCloseFrame?: boolean;
  /** Default 64 KiB. */
  highWaterMark?: number;
}

/** Bytes delivered per turn of the event loop. */
const SEGMENT = 256 * 1024;

class MemoryCarrier implements Carrier {
  readonly transport: Transport;
  readonly endsAfterCloseFrame: boolean;
  peer!: MemoryCarrier;
  private events: CarrierEvents | undefined;
  private readonly highWaterMark: number;
  /** Bytes written by the peer, not yet delivered here. */
  private readonly inbox: Buffer[] = [];
  private inboxBytes = 0;
  private scheduled = false;
  private paused = false;
  private peerEnded = false;
  private endDelivered = false;
  private ended = false;
  private closed = false;
  private needDrain = false;
  /** Bytes this side ever wrote: less `bufferedAmount`, what the peer has read. */
  private written = 0;
  private readonly flushWaiters = new FlushWaiters();

  constructor(options: MemoryCarrierOptions) {
    this.transport = options.transport ?? 'http/1.1';
    this.endsAfterCloseFrame = options.endsAfterCloseFrame ?? false;
    this.highWaterMark = options.highWaterMark ?? 64 * 1024;
  }

  get bufferedAmount(): number {
    return this.peer.inboxBytes;
  }

  attach(events: CarrierEvents): void {
    this.events = events;
    this.schedule();
  }

  write(chunks: readonly Buffer[]): boolean {
    if (this.ended || this.closed) return false;
    const bytes = Buffer.concat(chunks as Buffer[]);
    this.peer.inbox.push(bytes);
    this.peer.inboxBytes += bytes.length;
    this.written += bytes.length;
    this.peer.schedule();
    if (this.bufferedAmount < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /** Here the network is the peer: bytes are flushed once it has read them. */
  whenFlushed(callback: () => void): void {
    if (!this.closed) this.flushWaiters.add(this.written, this.written - this.bufferedAmount, callback);
  }

  end(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.peer.peerEnded = true;
    this.peer.schedule();
  }

  abort(error?: Error): void {
    if (this.closed) return;
    const reset = Object.assign(new Error('the peer aborted the connection'), { code: 'ECONNRESET' });
    this.close(error);
    this.peer.close(reset);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.deliver();
    });
  }

  private deliver(): void {
    if (this.events === undefined || this.closed) return;
    // Like a network, at most a segment's worth per turn: large writes arrive in pieces.
    let budget = SEGMENT;
    while (!this.paused && this.inbox.length !== 0 && !this.closed && budget > 0) {
      let chunk = this.inbox[0]!;
      if (chunk.length > budget) {
        this.inbox[0] = chunk.subarray(budget);
        chunk = chunk.subarray(0, budget);
      } else {
        this.inbox.shift();
      }
      budget -= chunk.length;
      this.inboxBytes -= chunk.length;
      this.peer.drainIfBelow();
      this.peer.settleFlushWaiters();
      this.events.data(chunk);
    }
    if (this.inbox.length !== 0 && !this.paused) this.schedule();
    if (this.inbox.length !== 0 || this.closed) return;
    if (this.peerEnded && !this.endDelivered) {
      this.endDelivered = true;
      this.events.end();
    }
    if (this.endDelivered && this.ended) {
      this.close();
      this.peer.closeWhenDone();
    }
  }

  private drainIfBelow(): void {
    if (this.needDrain && this.bufferedAmount < this.highWaterMark && !this.closed) {
      this.needDrain = false;
      this.events?.drain();
    }
  }

  /** What the peer has read of this side's bytes is flushed. */
  private settleFlushWaiters(): void {
    this.flushWaiters.settle(this.written - this.bufferedAmount);
  }

  /** The other side finished; close here too once its end has been delivered. */
  private closeWhenDone(): void {
    if (this.endDelivered && this.ended) this.close();
  }

  /** Like a socket, reports its close on a later turn of the event loop. */
  private close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.inbox.length = 0;
    this.inboxBytes = 0;
    this.flushWaiters.clear();
    setImmediate(() => this.events?.close(error));
  }
}

/** A pair of connected carriers: what one writes, the other reads. */
export function createMemoryCarrierPair(options: MemoryCarrierOptions = {}): [Carrier, Carrier] {
  const a = new MemoryCarrier(options);
  const b = new MemoryCarrier(options);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
