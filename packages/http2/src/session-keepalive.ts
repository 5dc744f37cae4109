/**
 * HTTP/2 PING (RFC 9113 §6.7) on a session that carries WebSockets, to find
 * out whether it still works. node:http2 has a blind spot that makes this
 * necessary: when nghttp2 finds a connection error (a malformed frame from
 * the peer) it sends GOAWAY and stops reading, but node:http2 neither
 * closes the TCP connection (RFC 9113 §5.4.1 says it must) nor tells
 * JavaScript. The session and its streams would hang forever; a PING that
 * gets no ACK within one interval reveals it, and the session is destroyed
 * (its WebSockets close with 1006). A dead peer is found the same way.
 */
import type { Http2Session } from 'node:http2';
import { SessionTimeoutError } from './errors.js';

export class SessionKeepalive {
  private timer: NodeJS.Timeout | undefined;
  private awaiting = false;

  constructor(
    private readonly session: Http2Session,
    private readonly interval: number,
  ) {}

  start(): void {
    if (this.timer !== undefined || this.interval <= 0) return;
    this.timer = setInterval(() => this.tick(), this.interval);
    // Open WebSockets keep the process alive, not their keepalive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.awaiting = false;
  }

  private tick(): void {
    const session = this.session;
    if (session.destroyed) return this.stop();
    // A session in graceful shutdown (GOAWAY) refuses PINGs; its streams end on their own or by their close timeout.
    if (session.closed) return;
    if (this.awaiting) {
      this.stop();
      session.destroy(new SessionTimeoutError(this.interval));
      return;
    }
    this.awaiting = true;
    session.ping((error) => {
      if (error === null) this.awaiting = false;
    });
  }
}
