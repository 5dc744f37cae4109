/**
 * The clocks of a connection, which act when the peer does not:
 * - keepalive (RFC 6455 §5.5.2): after a full interval without hearing from
 *   the peer, send a ping; if nothing at all arrives within `pongTimeout` ms
 *   after it, the peer is gone;
 * - the idle timeout: no message either way for that long, and the
 *   connection closes with 1001;
 * - the close timeout: a closing handshake that does not complete (§7.1.1)
 *   is torn down.
 */
import { TimeoutError } from './errors.js';

export interface ClockOptions {
  pingInterval?: number | undefined;
  pongTimeout?: number | undefined;
  idleTimeout?: number | undefined;
  closeTimeout: number;
}

export interface ClockActions {
  ping(): void;
  idle(): void;
  /** No pong in time, or no end of the close in time. */
  expired(error: TimeoutError): void;
}

export class Clocks {
  private heardSinceTick = false;
  private readonly pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly idleTimer: NodeJS.Timeout | undefined;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: ClockOptions,
    private readonly actions: ClockActions,
  ) {
    if (options.pingInterval) this.pingTimer = setInterval(() => this.tick(), options.pingInterval);
    if (options.idleTimeout) this.idleTimer = setTimeout(() => actions.idle(), options.idleTimeout);
  }

  /** Anything from the peer proves it alive. */
  heard(): void {
    this.heardSinceTick = true;
    if (this.pongTimer !== undefined) {
      clearTimeout(this.pongTimer);
      this.pongTimer = undefined;
    }
  }

  /** A message went either way: the idle clock starts again. */
  active(): void {
    this.idleTimer?.refresh();
  }

  /** The close timeout is running. */
  get closing(): boolean {
    return this.closeTimer !== undefined;
  }

  startClose(): void {
    if (this.closeTimer !== undefined) return;
    const ms = this.options.closeTimeout;
    this.closeTimer = setTimeout(() => this.actions.expired(new TimeoutError('CLOSE_TIMEOUT', `the connection did not close within ${ms} ms`)), ms);
  }

  stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.idleTimer);
    clearTimeout(this.closeTimer);
  }

  private tick(): void {
    if (this.heardSinceTick) {
      this.heardSinceTick = false;
      return;
    }
    if (this.pongTimer !== undefined) return;
    this.actions.ping();
    const ms = this.options.pongTimeout ?? this.options.pingInterval;
    this.pongTimer = setTimeout(() => this.actions.expired(new TimeoutError('PONG_TIMEOUT', `no answer to a keepalive ping within ${ms} ms`)), ms);
  }
}
