/**
 * HTTP/2 client sessions shared by WebSockets: one session per origin (and
 * TLS options) carries many WebSocket streams (RFC 8441 §1). A session is
 * ready once the server's first SETTINGS arrived, since only they say
 * whether extended CONNECT may be sent (RFC 8441 §3). A session that
 * receives GOAWAY or fails takes no new WebSockets; one without WebSockets
 * is closed (at once by default, or after `idleTimeout`).
 */
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { HandshakeError } from '@wstack/protocol';
import type { Tunnel, WebSocketConnection } from '@wstack/core';
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

/** A share of a session whose SETTINGS arrived: held by one handshake and then its WebSocket. */
export interface SessionLease {
  readonly session: ClientHttp2Session;
  /** Hands the lease to a WebSocket or tunnel: released when it closes; a WebSocket is closed with 1001 on GOAWAY. */
  hold(connection: WebSocketConnection | Tunnel): void;
  /** Gives the share back (a handshake that failed). */
  release(): void;
}

/** Waits for a promise within the caller's time limit and abort signal. */
export type Wait = <T>(promise: Promise<T>) => Promise<T>;

interface Entry {
  key: string;
  session: ClientHttp2Session;
  ready: Promise<void>;
  /** Handshakes and WebSockets on the session. */
  users: number;
  /** Of those, the ones past the SETTINGS, which count against the server's stream limit. */
  streams: number;
  /** False once the session received GOAWAY, failed or closed. */
  usable: boolean;
  /** The server's SETTINGS arrived: its stream limit is known. */
  settled: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

export class SessionPool {
  readonly tuning: ResolvedTuning;
  private readonly idleTimeout: number;
  private readonly entries = new Map<string, Entry[]>();
  private readonly websockets: SessionWebSockets;

  constructor(options: SessionPoolOptions = {}) {
    this.tuning = resolveTuning(options);
    this.idleTimeout = options.idleTimeout ?? 0;
    this.websockets = new SessionWebSockets(this.tuning.sessionPingInterval);
  }

  /** Sessions open or opening. */
  get sessionCount(): number {
    let count = 0;
    for (const list of this.entries.values()) count += list.length;
    return count;
  }

  /**
   * A share of a ready session to the URL's origin: an open one with room
   * for another stream (SETTINGS_MAX_CONCURRENT_STREAMS, RFC 9113 §5.1.2),
   * or a new one. Fails as the session's SETTINGS wait does.
   */
  async acquire(url: URL, tls: TlsConnectionOptions | undefined, wait: Wait): Promise<SessionLease> {
    const key = sessionKey(url, tls);
    for (;;) {
      const entry = this.pick(key) ?? this.open(key, url, tls);
      this.use(entry);
      try {
        await wait(entry.ready);
      } catch (error) {
        this.release(entry);
        throw error;
      }
      // Sharers that came before the SETTINGS may be more than the server allows: the rest try another session.
      if (entry.usable && entry.streams < maxStreams(entry)) {
        entry.streams++;
        return this.lease(entry);
      }
      this.release(entry);
    }
  }

  /** Whether a session to the URL's origin (with these TLS options) is open and takes WebSockets. */
  hasSession(url: URL, tls?: TlsConnectionOptions): boolean {
    return this.entries.get(sessionKey(url, tls))?.some((entry) => entry.usable && entry.settled) ?? false;
  }

  /** Takes no new WebSockets and closes every session once its WebSockets have ended (GOAWAY now). */
  close(): void {
    for (const list of this.entries.values()) {
      for (const entry of list) {
        entry.usable = false;
        clearTimeout(entry.idleTimer);
        entry.session.close();
      }
    }
    this.entries.clear();
  }

  private use(entry: Entry): void {
    entry.users++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    entry.session.ref();
  }

  private lease(entry: Entry): SessionLease {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.streams--;
      this.release(entry);
    };
    return {
      session: entry.session,
      hold: (connection) => {
        this.websockets.add(entry.session, connection);
        connection.once('close', release);
      },
      release,
    };
  }

  private pick(key: string): Entry | undefined {
    return this.entries.get(key)?.find((entry) => entry.usable && entry.users < maxStreams(entry));
  }

  private open(key: string, url: URL, tls: TlsConnectionOptions | undefined): Entry {
    const secure = url.protocol === 'wss:';
    const session = connectHttp2(httpOrigin(url), {
      ...(secure ? tls : undefined),
      settings: clientSettings(this.tuning),
      maxSessionMemory: this.tuning.maxSessionMemory,
    });
    const entry: Entry = { key, session, ready: awaitSettings(session, secure, this.tuning), users: 0, streams: 0, usable: true, settled: false, idleTimer: undefined };
    session.once('remoteSettings', () => (entry.settled = true));
    // Nobody may be waiting when it fails; the failure reaches each handshake through `ready`.
    entry.ready.catch(() => undefined);
    // Errors of a ready session reach its streams (and so its WebSockets); the session needs a listener of its own.
    session.on('error', () => undefined);
    const retire = () => this.retire(entry);
    session.once('goaway', retire);
    session.once('close', retire);
    session.once('error', retire);
    let list = this.entries.get(key);
    if (list === undefined) this.entries.set(key, (list = []));
    list.push(entry);
    return entry;
  }

  private release(entry: Entry): void {
    entry.users--;
    if (entry.users !== 0) return;
    if (!entry.usable || this.idleTimeout === 0) {
      this.retire(entry);
      entry.session.close();
      return;
    }
    entry.session.unref();
    if (Number.isFinite(this.idleTimeout)) {
      entry.idleTimer = setTimeout(() => {
        this.retire(entry);
        entry.session.close();
      }, this.idleTimeout);
      entry.idleTimer.unref();
    }
  }

  /** The session takes no new WebSockets. */
  private retire(entry: Entry): void {
    entry.usable = false;
    const list = this.entries.get(entry.key);
    if (list === undefined) return;
    const index = list.indexOf(entry);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) this.entries.delete(entry.key);
  }
}

function sessionKey(url: URL, tls: TlsConnectionOptions | undefined): string {
  return `${httpOrigin(url)} ${optionsKey(url.protocol === 'wss:' ? tls ?? {} : {})}`;
}

/**
 * The server's stream limit. Until its SETTINGS came every handshake to the
 * origin waits on the same session (the initial limit is unlimited, RFC 9113
 * §6.5.2); those past the limit then move on to another session.
 */
function maxStreams(entry: Entry): number {
  if (!entry.settled) return Infinity;
  return entry.session.remoteSettings.maxConcurrentStreams ?? Infinity;
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
