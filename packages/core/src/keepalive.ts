/**
 * The clocks that act while the peer is quiet, made only when asked for:
 * - keepalive (RFC 6455 §5.5.2): after a full interval without hearing from
 *   the peer, send a ping; if nothing at all arrives within `pongTimeout` ms
 *   after it, the peer is gone;
 * - the idle timeout: no message either way for that long, and the
 *   connection closes with 1001.
 */
import { TimeoutError } from './errors.js';

export interface KeepaliveOptions {
  pingInterval?: number | undefined;
  /** Default: pingInterval. */
  pongTimeout?: number | undefined;
  idleTimeout?: number | undefined;
}

export interface KeepaliveActions {
  ping(): void;
  idle(): void;
  /** No answer to a ping in time. */
  expired(error: TimeoutError): void;
}

export class Keepalive {
  private heardSinceTick = false;
  private readonly pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private readonly idleTimer: NodeJS.Timeout | undefined;
  private readonly pongTimeout: number;

  /** Undefined when neither clock is asked for. */
  static of(options: KeepaliveOptions, actions: KeepaliveActions): Keepalive | undefined {
    return options.pingInterval || options.idleTimeout ? new Keepalive(options, actions) : undefined;
  }

  private constructor(
    options: KeepaliveOptions,
    private readonly actions: KeepaliveActions,
  ) {
    this.pongTimeout = options.pongTimeout ?? options.pingInterval ?? 0;
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

  stop(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.idleTimer);
  }

  private tick(): void {
    if (this.heardSinceTick) {
      this.heardSinceTick = false;
      return;
    }
    if (this.pongTimer !== undefined) return;
    this.actions.ping();
    const ms = this.pongTimeout;
    this.pongTimer = setTimeout(() => this.actions.expired(new TimeoutError('PONG_TIMEOUT', `no answer to a keepalive ping within ${ms} ms`)), ms);
  }
}
