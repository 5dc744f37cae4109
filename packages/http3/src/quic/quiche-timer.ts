/**
 * A connection's one timer, set from quiche's `timeout()`: loss detection,
 * ACK delay and the idle timeout (RFC 9002, RFC 9000 §10.1) all wait on it.
 */
import type { NativeConnection } from './binding.js';

export class QuicheTimer {
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly native: NativeConnection;
  /** Called when the timer fires, for the connection to let quiche act on it. */
  private readonly expired: () => void;

  constructor(native: NativeConnection, expired: () => void) {
    this.native = native;
    this.expired = expired;
  }

  /** Sets the timer to quiche's next deadline, or stops it when quiche has none. */
  arm(): void {
    const timeout = this.native.timeout();
    if (timeout === null) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    const at = Date.now() + timeout;
    // An earlier deadline than the armed one re-arms; a later one waits for the armed timer, which then looks again.
    if (this.timer !== undefined && at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, timeout));
  }

  /** The connection ended. */
  stop(): void {
    clearTimeout(this.timer);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.expired();
  };
}
