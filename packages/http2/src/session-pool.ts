/**
 * HTTP/2 client sessions shared by WebSockets: core's OriginPool over
 * node:http2 sessions, ready at the server's first SETTINGS (RFC 8441 §3).
 */
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { HandshakeError } from '@wstack/protocol';
import { OriginPool, type OriginLease, type PooledSession, type Tunnel, type WebSocketConnection } from '@wstack/core';
import { optionsKey } from './pool-key.js';
import { SessionWebSockets } from './session-websockets.js';
import { clientSettings, resolveTuning, widenConnectionWindow, type Http2Tuning, type ResolvedTuning } from './tuning.js';
import { httpOrigin } from './url.js';

export interface SessionPoolOptions extends Http2Tuning {
  /**
   * Milliseconds a session stays open after its last WebSocket ended, for
   * the next one to reuse; 0 (default) closes it at once, Infinity keeps it
   * until `close()`. An idle session does not keep the process alive.
   */
  idleTimeout?: number;
}

/** An HTTP/2 session as the pool shares it. */
export class PooledHttp2Session implements PooledSession {
  readonly ready: Promise<void>;

  constructor(
    readonly http2: ClientHttp2Session,
    secure: boolean,
    tuning: ResolvedTuning,
    private readonly websockets: SessionWebSockets,
  ) {
    this.ready = awaitSettings(http2, secure, tuning);
    // Errors of a ready session reach its streams (and so its WebSockets); the session needs a listener of its own.
    http2.on('error', () => undefined);
  }

  get maxStreams(): number {
    return this.http2.remoteSettings.maxConcurrentStreams ?? Infinity;
  }

  onRetired(listener: () => void): void {
    this.http2.once('goaway', listener);
    this.http2.once('close', listener);
    this.http2.once('error', listener);
  }

  close(): void {
    this.http2.close();
  }

  /** An idle session does not keep the process alive. */
  used(inUse: boolean): void {
    if (inUse) this.http2.ref();
    else this.http2.unref();
  }

  /** A WebSocket or tunnel rides the session: the keepalive runs, and a WebSocket is closed with 1001 on GOAWAY. */
  carry(opened: WebSocketConnection | Tunnel): void {
    this.websockets.add(this.http2, opened);
  }
}

export type SessionLease = OriginLease<PooledHttp2Session>;

export class SessionPool extends OriginPool<PooledHttp2Session, TlsConnectionOptions | undefined> {
  readonly tuning: ResolvedTuning;
  private readonly websockets: SessionWebSockets;

  constructor(options: SessionPoolOptions = {}) {
    super(options.idleTimeout ?? 0);
    this.tuning = resolveTuning(options);
    this.websockets = new SessionWebSockets(this.tuning.sessionPingInterval);
  }

  /** Whether a session to the URL's origin (with these TLS options) is open and takes WebSockets. */
  override hasSession(url: URL, tls?: TlsConnectionOptions): boolean {
    return super.hasSession(url, tls);
  }

  protected key(url: URL, tls: TlsConnectionOptions | undefined): string {
    return `${httpOrigin(url)} ${optionsKey(url.protocol === 'wss:' ? tls ?? {} : {})}`;
  }

  protected open(url: URL, tls: TlsConnectionOptions | undefined): PooledHttp2Session {
    const secure = url.protocol === 'wss:';
    const session = connectHttp2(httpOrigin(url), {
      ...(secure ? tls : undefined),
      settings: clientSettings(this.tuning),
      maxSessionMemory: this.tuning.maxSessionMemory,
    });
    return new PooledHttp2Session(session, secure, this.tuning, this.websockets);
  }
}

/**
 * Resolves at the server's first SETTINGS. Fails with NOT_SUPPORTED when the
 * server is reachable but does not speak HTTP/2: TLS without ALPN h2 (RFC
 * 9113 §3.2), or a cleartext answer that is no HTTP/2 (an HTTP/1.1 server
 * answering the preface); a caller may then fall back to HTTP/1.1. A
 * connection that fails as such (refused, a certificate not trusted) fails
 * with its own error.
 */
function awaitSettings(session: ClientHttp2Session, secure: boolean, tuning: ResolvedTuning): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const notSupported = (message: string, cause?: unknown) => {
      const error = new HandshakeError('NOT_SUPPORTED', message);
      if (cause !== undefined) error.cause = cause;
      return error;
    };
    session.once('connect', () => {
      connected = true;
      if (secure && session.alpnProtocol !== 'h2') {
        reject(notSupported(`the server did not choose HTTP/2 by ALPN (it chose ${JSON.stringify(session.alpnProtocol ?? null)})`));
        session.destroy();
        return;
      }
      widenConnectionWindow(session, tuning);
    });
    session.once('remoteSettings', () => resolve());
    session.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') reject(notSupported('the server offers no HTTP/2 by ALPN', error));
      else if (connected) reject(notSupported(`the server does not speak HTTP/2: ${error.message}`, error));
      else reject(error);
    });
    session.once('close', () => reject(connected ? notSupported('the server closed the connection before its HTTP/2 SETTINGS') : new Error('the HTTP/2 session closed before it connected')));
  });
}
