/**
 * HTTP/3 client connections shared by WebSockets: one QUIC connection per
 * origin (and TLS options) carries many WebSocket streams (RFC 9220 §3,
 * RFC 9114 §3.3). A connection is ready once the server's SETTINGS arrived,
 * since only they say whether extended CONNECT may be sent (RFC 9220 §3). A
 * connection that receives GOAWAY or ends takes no new WebSockets; one
 * without WebSockets is closed (at once by default, or after `idleTimeout`).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Tunnel, WebSocketConnection } from '@wstack/core';
import { Http3Connection } from './h3-connection.js';
import type { Http3Settings } from './h3/settings.js';
import { dial, type Dialing } from './quic/client-endpoint.js';
import { clientConfig } from './quic/config.js';
import type { StreamCarrier } from './stream-carrier.js';
import { defaultTrustAnchors, matchesPin, readPem, trustAnchors, verifyChain, type PemSource } from './tls.js';
import { quicSettings, type Http3Tuning } from './tuning.js';

export interface Http3ClientTls {
  /** Trusted CA certificates (PEM text, bytes or file paths); default: what node:tls trusts (Node's bundled roots and NODE_EXTRA_CA_CERTS). */
  ca?: PemSource | readonly PemSource[];
  /**
   * Accept exactly these certificates instead of verifying a chain: each a
   * hex SHA-256 of the leaf certificate (colons allowed, as `openssl x509
   * -fingerprint -sha256` prints it) or a base64 SHA-256 of its
   * SubjectPublicKeyInfo (`spkiSha256`).
   */
  pin?: string | readonly string[];
  /** The name sent in SNI and checked against the certificate; default: the URL's host. */
  serverName?: string;
  /** False skips every check of the server's certificate (tests only). Default true. */
  rejectUnauthorized?: boolean;
}

export interface SessionPoolOptions extends Http3Tuning {
  /**
   * Milliseconds a connection stays open after its last WebSocket ended,
   * for the next one to reuse; 0 (default) closes it at once, Infinity
   * keeps it until `close()`.
   */
  idleTimeout?: number;
}

/** A share of a connection whose SETTINGS arrived: held by one handshake and then its WebSocket. */
export interface SessionLease {
  readonly connection: Http3Connection;
  readonly settings: Http3Settings;
  /** Hands the lease to a WebSocket or tunnel: released when it closes. */
  hold(carrier: StreamCarrier, websocket: WebSocketConnection | Tunnel): void;
  /** Gives the share back (a handshake that failed). */
  release(): void;
}

/** Waits for a promise within the caller's time limit and abort signal. */
export type Wait = <T>(promise: Promise<T>) => Promise<T>;

interface Entry {
  key: string;
  ready: Promise<Http3Connection>;
  connection: Http3Connection | undefined;
  users: number;
  usable: boolean;
  /** Stops the QUIC handshake still under way. */
  cancelDial: (() => void) | undefined;
  idleTimer: NodeJS.Timeout | undefined;
}

export class SessionPool {
  private readonly tuning: SessionPoolOptions;
  private readonly idleTimeout: number;
  private readonly entries = new Map<string, Entry>();

  constructor(options: SessionPoolOptions = {}) {
    this.tuning = options;
    this.idleTimeout = options.idleTimeout ?? 0;
  }

  /** QUIC connections open or opening. */
  get sessionCount(): number {
    return this.entries.size;
  }

  /** A share of a ready connection to the URL's origin: the open one, or a new one. */
  async acquire(url: URL, tls: Http3ClientTls, wait: Wait): Promise<SessionLease> {
    const key = sessionKey(url, tls);
    let entry = this.entries.get(key);
    if (!entry || !entry.usable) {
      entry = this.open(key, url, tls);
      this.entries.set(key, entry);
    }
    this.use(entry);
    try {
      const connection = await wait(entry.ready);
      const settings = await wait(connection.settings());
      return this.lease(entry, connection, settings);
    } catch (error) {
      this.release(entry);
      throw error;
    }
  }

  /** Whether a QUIC connection to the URL's origin, with these TLS options, is open and takes WebSockets. */
  hasSession(url: URL, tls: Http3ClientTls = {}): boolean {
    const entry = this.entries.get(sessionKey(url, tls));
    return entry !== undefined && entry.usable && entry.connection !== undefined;
  }

  /** No connection takes new WebSockets; each closes once its WebSockets are gone. */
  close(): void {
    for (const entry of [...this.entries.values()]) {
      this.retire(entry);
      clearTimeout(entry.idleTimer);
      if (entry.users === 0) void this.shut(entry);
    }
  }

  /** The connection failed a stream open (stream limit): later handshakes use a new one. */
  retireConnection(connection: Http3Connection): void {
    for (const entry of this.entries.values()) if (entry.connection === connection) this.retire(entry);
  }

  private use(entry: Entry): void {
    entry.users++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
  }

  private lease(entry: Entry, connection: Http3Connection, settings: Http3Settings): SessionLease {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.release(entry);
    };
    return {
      connection,
      settings,
      hold: (carrier, websocket) => {
        connection.hold(carrier, websocket);
        websocket.once('close', release);
      },
      release,
    };
  }

  private open(key: string, url: URL, tls: Http3ClientTls): Entry {
    const entry: Entry = { key, ready: undefined as never, connection: undefined, users: 0, usable: true, idleTimer: undefined, cancelDial: undefined };
    const dialing = this.dial(url, tls);
    entry.cancelDial = () => dialing.cancel('no WebSocket waits for this connection any more');
    entry.ready = dialing.then((quicConnection) => {
      entry.cancelDial = undefined;
      const connection = new Http3Connection(quicConnection, { role: 'client' });
      entry.connection = connection;
      connection.once('goaway', () => this.retire(entry));
      connection.once('close', () => this.retire(entry));
      if (!entry.usable && entry.users === 0) void this.shut(entry);
      return connection;
    });
    entry.ready.catch(() => this.retire(entry));
    return entry;
  }

  private dial(url: URL, tls: Http3ClientTls): Dialing {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? 443 : Number(url.port);
    const { pins, ca: sources } = trustOptions(tls);
    const ca = tls.ca === undefined ? undefined : sources.map(readPem);
    const verify = tls.rejectUnauthorized !== false;
    const serverName = tls.serverName ?? host;
    // Our checks replace BoringSSL's (which has no CA store of its own here, and refuses a self-signed certificate as `ca`, README
    // quirk R): BoringSSL lets the handshake finish, and the connection checks the chain (DER, leaf first) before it counts as
    // established: against the pins, the caller's CAs, or what node:tls trusts by default.
    const anchors = ca === undefined ? undefined : trustAnchors(ca);
    const check =
      pins.length !== 0
        ? (certs: Uint8Array[]) => certs[0] !== undefined && matchesPin(certs[0], pins)
        : (certs: Uint8Array[]) => verifyChain(certs, anchors ?? defaultTrustAnchors(), serverName) === undefined;
    const settings = quicSettings(this.tuning);
    return dial({
      host,
      port,
      // RFC 6066 §3: no SNI for an IP address.
      serverName: isIP(serverName) ? undefined : serverName,
      config: clientConfig(settings, { verifyPeer: verify }),
      maxDatagramSize: settings.maxUdpPayloadSize,
      keepAliveInterval: settings.keepAliveInterval,
      ...(verify ? { verify: check } : {}),
    });
  }

  private release(entry: Entry): void {
    entry.users--;
    if (entry.users !== 0) return;
    if (entry.cancelDial !== undefined) {
      // Every handshake that waited gave up (aborted, or another transport won): the QUIC handshake stops too.
      this.retire(entry);
      entry.cancelDial();
      return;
    }
    if (!entry.usable || this.idleTimeout === 0) {
      this.retire(entry);
      void this.shut(entry);
      return;
    }
    if (Number.isFinite(this.idleTimeout)) {
      entry.idleTimer = setTimeout(() => {
        this.retire(entry);
        void this.shut(entry);
      }, this.idleTimeout);
      entry.idleTimer.unref();
    }
  }

  /** Closes the QUIC connection with H3_NO_ERROR (RFC 9114 §5.2). */
  private async shut(entry: Entry): Promise<void> {
    const connection = await entry.ready.catch(() => undefined);
    if (!connection) return;
    await connection.settled();
    connection.close();
  }

  /** The connection takes no new WebSockets. */
  private retire(entry: Entry): void {
    entry.usable = false;
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
  }
}

function sessionKey(url: URL, tls: Http3ClientTls): string {
  const digest = createHash('sha256');
  const { pins, ca } = trustOptions(tls);
  digest.update(JSON.stringify({ pins, serverName: tls.serverName, verify: tls.rejectUnauthorized !== false }));
  for (const source of ca) digest.update(typeof source === 'string' ? source : Buffer.from(source));
  return `${url.host} ${digest.digest('base64')}`;
}

/** The pins and CA sources of the TLS options, as lists. */
function trustOptions(tls: Http3ClientTls): { pins: string[]; ca: PemSource[] } {
  const pins = tls.pin === undefined ? [] : typeof tls.pin === 'string' ? [tls.pin] : [...tls.pin];
  const ca = tls.ca === undefined ? [] : Array.isArray(tls.ca) ? [...tls.ca] : [tls.ca as PemSource];
  return { pins, ca };
}
