/**
 * HTTP/3 client connections shared by WebSockets: core's OriginPool over
 * QUIC connections (RFC 9114 §3.3), ready once the server's SETTINGS
 * arrived (RFC 9220 §3).
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { OriginPool, type OriginLease, type PooledSession } from '@wstack/core';
import { Http3Connection } from './h3-connection.js';
import type { Http3Settings } from './h3/settings.js';
import { dial, type Dialing } from './quic/client-endpoint.js';
import { StreamLimitError } from './quic/errors.js';
import type { QuicStream } from './quic/stream.js';
import { clientConfig } from './quic/config.js';
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

/** An HTTP/3 connection as the pool shares it: ready once dialled and the server's SETTINGS arrived. */
export class PooledHttp3Connection implements PooledSession {
  readonly ready: Promise<void>;
  private h3: Http3Connection | undefined;
  private serverSettings: Http3Settings | undefined;
  private readonly retiredListeners: (() => void)[] = [];
  private dialing: Dialing | undefined;
  private closing = false;

  constructor(dialing: Dialing) {
    this.dialing = dialing;
    this.ready = dialing.then(async (quicConnection) => {
      this.dialing = undefined;
      const connection = new Http3Connection(quicConnection, { role: 'client' });
      this.h3 = connection;
      for (const listener of this.retiredListeners) this.retireOn(connection, listener);
      if (this.closing) void this.shut(connection);
      this.serverSettings = await connection.settings();
    });
  }

  /** The connection, once `ready` resolved. */
  get connection(): Http3Connection {
    return this.h3!;
  }

  /** The server's SETTINGS, once `ready` resolved. */
  get settings(): Http3Settings {
    return this.serverSettings!;
  }

  /** QUIC's stream credit is handled by the client (a connection out of it is retired): no limit here. */
  get maxStreams(): number {
    return Infinity;
  }

  onRetired(listener: () => void): void {
    this.retiredListeners.push(listener);
    if (this.h3 !== undefined) this.retireOn(this.h3, listener);
  }

  /**
   * A connection takes no new WebSockets after the server's GOAWAY, once
   * closed, or once quiche may soon lack connection credit for the streams
   * still to come: the server reset many mid-way, or the connection
   * received its receive budget (quic/connection.ts).
   */
  private retireOn(connection: Http3Connection, listener: () => void): void {
    connection.once('goaway', listener);
    connection.once('close', listener);
    connection.quicConnection.once('creditLow', listener);
  }

  /** Closes with H3_NO_ERROR (RFC 9114 §5.2) once the streams are done; a QUIC handshake still under way stops. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    if (this.dialing !== undefined) this.dialing.cancel('no WebSocket waits for this connection any more');
    else if (this.h3 !== undefined) void this.shut(this.h3);
  }

  private async shut(connection: Http3Connection): Promise<void> {
    await connection.settled();
    connection.close();
  }
}

export type SessionLease = OriginLease<PooledHttp3Connection>;

/** A request stream, or undefined when the connection is out of stream credit (RFC 9000 §4.6). */
export function tryOpenStream(lease: SessionLease): QuicStream | undefined {
  try {
    return lease.session.connection.newRequestStream();
  } catch (error) {
    if (error instanceof StreamLimitError) return undefined;
    throw error;
  }
}

export class SessionPool extends OriginPool<PooledHttp3Connection, Http3ClientTls> {
  private readonly tuning: SessionPoolOptions;

  constructor(options: SessionPoolOptions = {}) {
    super(options.idleTimeout ?? 0);
    this.tuning = options;
  }

  /** Whether a QUIC connection to the URL's origin, with these TLS options, is open and takes WebSockets. */
  override hasSession(url: URL, tls: Http3ClientTls = {}): boolean {
    return super.hasSession(url, tls);
  }

  protected key(url: URL, tls: Http3ClientTls): string {
    return sessionKey(url, tls);
  }

  protected open(url: URL, tls: Http3ClientTls): PooledHttp3Connection {
    return new PooledHttp3Connection(this.dial(url, tls));
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
        ? (certs: Uint8Array[]) => (certs[0] !== undefined && matchesPin(certs[0], pins) ? undefined : 'the certificate matches no pin')
        : (certs: Uint8Array[]) => verifyChain(certs, anchors ?? defaultTrustAnchors(), serverName);
    const settings = quicSettings(this.tuning);
    return dial({
      host,
      port,
      // RFC 6066 §3: no SNI for an IP address.
      serverName: isIP(serverName) ? undefined : serverName,
      config: clientConfig(settings, { verifyPeer: verify }),
      maxDatagramSize: settings.maxUdpPayloadSize,
      keepAliveInterval: settings.keepAliveInterval,
      udpBufferSize: settings.udpBufferSize,
      resetBudget: settings.resetBudget,
      // Off unless asked for: retiring client connections by what they received left requests without their answer on
      // a retired connection under load (docs/reliability.md); the server's budget protects what the soak found.
      receiveBudget: this.tuning.receiveBudget ?? Infinity,
      ...(verify ? { verify: check } : {}),
    });
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
