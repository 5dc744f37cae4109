/**
 * Keepalive (RFC 6455 §5.5.2): after a full interval without hearing from the
 * peer, send a ping; if nothing at all arrives within `timeout` ms after it,
 * the peer is gone.
 */
export interface KeepaliveActions {
  ping(): void;
  /** Nothing arrived in time after a ping. */
  silent(): void;
}

export class Keepalive {
  private heardSinceTick = false;
  private readonly pingTimer: NodeJS.Timeout;
  private pongTimer: NodeJS.Timeout | undefined;

  constructor(
    interval: number,
    private readonly timeout: number,
    private readonly actions: KeepaliveActions,
  ) {
    this.pingTimer = setInterval(() => this.tick(), interval);
  }

  /** Anything from the peer proves it alive. */
  heard(): void {
    this.heardSinceTick = true;
    if (this.pongTimer !== undefined) {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
  }

  stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  private tick(): void {
    if (this.heardSinceTick) {
      this.heardSinceTick = false;
      return;
    }
    if (this.pongTimer !== undefined) return;
    this.actions.ping();
    this.pongTimer = setTimeout(() => this.actions.silent(), this.timeout);
  }
}
