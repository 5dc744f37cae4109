/**
 * The WebSockets of each HTTP/2 session, for the events that concern a
 * whole session. A GOAWAY with NO_ERROR (RFC 9113 §6.8) says the peer is
 * going away: its WebSockets are closed with 1001 (RFC 6455 §7.4.1) while
 * their streams still run. A GOAWAY with an error, or a session that fails,
 * destroys the session's streams, and with them its WebSockets (1006);
 * other sessions are not touched. While a session carries WebSockets, a
 * PING keepalive checks that it still works (session-keepalive.ts), and a
 * guard keeps node:http2 from stalling it (read-stall-guard.ts). Tunnels
 * (tunnel.ts in @wstack/core) count as WebSockets for the keepalive and the
 * guard, but are not closed on GOAWAY: their close frames are the far end's.
 */
import { constants, type Http2Session } from 'node:http2';
import { CloseCode } from '@wstack/protocol';
import { WebSocketConnection, type Tunnel } from '@wstack/core';
import { ReadStallGuard } from './read-stall-guard.js';
import { SessionKeepalive } from './session-keepalive.js';

interface Tracked {
  connections: Set<WebSocketConnection | Tunnel>;
  keepalive: SessionKeepalive;
  guard: ReadStallGuard;
}

/** Sessions whose peer sent GOAWAY with NO_ERROR: their streams' ends are its going away (stream-carrier.ts). */
export const peersGoneAway = new WeakSet<Http2Session>();

export class SessionWebSockets {
  private readonly bySession = new WeakMap<Http2Session, Tracked>();

  /** `pingInterval`: ms between keepalive PINGs while the session carries WebSockets; 0 for none. */
  constructor(private readonly pingInterval: number) {}

  add(session: Http2Session, connection: WebSocketConnection | Tunnel): void {
    const tracked = this.bySession.get(session) ?? this.track(session);
    tracked.connections.add(connection);
    tracked.keepalive.start();
    tracked.guard.start();
    connection.once('close', () => {
      tracked.connections.delete(connection);
      if (tracked.connections.size === 0) stopTimers(tracked);
    });
  }

  /** The open WebSockets and tunnels of a session. */
  of(session: Http2Session): ReadonlySet<WebSocketConnection | Tunnel> {
    return this.bySession.get(session)?.connections ?? new Set();
  }

  private track(session: Http2Session): Tracked {
    const tracked: Tracked = { connections: new Set(), keepalive: new SessionKeepalive(session, this.pingInterval), guard: new ReadStallGuard(session) };
    this.bySession.set(session, tracked);
    session.on('goaway', (code: number) => {
      if (code !== constants.NGHTTP2_NO_ERROR) return;
      peersGoneAway.add(session);
      for (const open of tracked.connections) if (open instanceof WebSocketConnection) closeGoingAway(open, 'the HTTP/2 session is going away');
    });
    session.once('close', () => stopTimers(tracked));
    return tracked;
  }
}

function stopTimers(tracked: Tracked): void {
  tracked.keepalive.stop();
  tracked.guard.stop();
}

export function closeGoingAway(connection: WebSocketConnection, reason: string): void {
  if (connection.readyState === 1) connection.close(CloseCode.GOING_AWAY, reason);
}
