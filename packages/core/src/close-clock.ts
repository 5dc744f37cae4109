/**
 * The clock of a closing connection (RFC 6455 §7.1.1). From the first close
 * frame, the closing handshake and the end of the transport get
 * `closeTimeout`; past it the connection is aborted. Once the handshake is
 * done the server ends the transport first and the client follows: a peer
 * that keeps it open after that (it answered the close frame but never
 * ends) is cut after LINGER, and the close stays as clean as the handshake
 * made it. Made when a close starts, so an open connection holds none.
 */

/** How long a transport may stay open after the closing handshake is done. */
export const LINGER = 1000;

export class CloseClock {
  private timer: NodeJS.Timeout;

  constructor(
    private readonly closeTimeout: number,
    expired: () => void,
  ) {
    this.timer = setTimeout(expired, closeTimeout);
  }

  /** The handshake is done: `cut` the transport unless it ends within LINGER. */
  linger(cut: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(cut, Math.min(LINGER, this.closeTimeout));
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
