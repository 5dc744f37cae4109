/**
 * The async iterator of a connection: messages wait here for the consumer.
 * While more than the high-water mark waits, reading from the carrier is
 * paused, so a slow consumer slows the peer down instead of filling memory.
 */
import type { CloseDetails } from './connection-types.js';

export interface Message {
  data: Buffer;
  binary: boolean;
}

export interface QueueControl {
  pause(): void;
  resume(): void;
  /** The consumer left the loop early. */
  stop(): void;
}

export class MessageQueue implements AsyncIterator<Message> {
  private readonly messages: Message[] = [];
  private bytes = 0;
  private paused = false;
  private waiting: ((result: IteratorResult<Message>) => void) | undefined;
  private failed: ((error: Error) => void) | undefined;
  private ended: CloseDetails | undefined;
  private stopped = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly control: QueueControl,
  ) {}

  push(message: Message): void {
    if (this.stopped) return;
    if (this.waiting !== undefined) {
      const resolve = this.waiting;
      this.waiting = this.failed = undefined;
      resolve({ value: message, done: false });
      return;
    }
    this.messages.push(message);
    this.bytes += message.data.length;
    if (!this.paused && this.bytes >= this.highWaterMark) {
      this.paused = true;
      this.control.pause();
    }
  }

  /** The connection closed: the loop ends after the queued messages, or throws on a failure. */
  finish(details: CloseDetails): void {
    this.ended = details;
    if (this.waiting !== undefined && this.messages.length === 0) this.settleEnd(this.waiting, this.failed!);
  }

  next(): Promise<IteratorResult<Message>> {
    const message = this.messages.shift();
    if (message !== undefined) {
      this.bytes -= message.data.length;
      if (this.paused && this.bytes < this.highWaterMark) {
        this.paused = false;
        this.control.resume();
      }
      return Promise.resolve({ value: message, done: false });
    }
    return new Promise((resolve, reject) => {
      if (this.ended !== undefined || this.stopped) this.settleEnd(resolve, reject);
      else {
        this.waiting = resolve;
        this.failed = reject;
      }
    });
  }

  return(): Promise<IteratorResult<Message>> {
    if (!this.stopped && this.ended === undefined) {
      this.stopped = true;
      this.messages.length = 0;
      if (this.paused) this.control.resume();
      this.control.stop();
    }
    this.stopped = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  private settleEnd(resolve: (result: IteratorResult<Message>) => void, reject: (error: Error) => void): void {
    this.waiting = this.failed = undefined;
    const error = this.ended?.wasClean === false ? this.ended.error : undefined;
    if (error !== undefined && !this.stopped) {
      this.stopped = true;
      reject(error);
    } else {
      resolve({ value: undefined, done: true });
    }
  }
}
