/**
 * One time limit and one abort signal over the several waits of a client
 * handshake (connect, the peer's settings, the answer), for every transport.
 */
import { HandshakeError } from '@wstack/protocol';
import { AbortError } from './errors.js';

export class Deadline {
  private readonly expired: Promise<never>;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort: () => void;
  private fail!: (error: Error) => void;

  constructor(
    ms: number,
    private readonly signal: AbortSignal | undefined,
    what: string,
  ) {
    this.expired = new Promise<never>((_resolve, reject) => (this.fail = reject));
    // Nobody may be racing at the moment it fires.
    this.expired.catch(() => undefined);
    this.timer = setTimeout(() => this.fail(new HandshakeError('TIMEOUT', `${what} did not finish within ${ms} ms`)), ms);
    this.onAbort = () => this.fail(new AbortError(signal?.reason));
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
  }

  /** `promise`, or the timeout or abort error if that comes first. */
  race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.expired]);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
