/**
 * WebSocket client over HTTP/3 extended CONNECT (RFC 9220 §3): opens (or
 * shares) a QUIC connection to the origin, waits for the server's SETTINGS
 * to allow extended CONNECT, sends the CONNECT request on a new request
 * stream, checks the 200 answer, and hands back a connection, or a tunnel,
 * on the stream.
 */
import { checkSubprotocolAnswer, HandshakeError, parseWebSocketUrl } from '@wstack/protocol';
import { connectionEnding, Deadline, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, tunnelEnding, type ClientHandshakeOptions, type HandshakeEnding, type Tunnel, type TunnelOffer, type WebSocketConnection } from '@wstack/core';
import type { ResponseHead } from './h3/message-validation.js';
import { H3_WEBSOCKET_VERSION, fieldsOf } from './request-checks.js';
import { RequestStreamDecoder, encodeHeaders } from './h3/request-stream.js';
import { SessionPool, type Http3ClientTls, type SessionLease } from './session-pool.js';
import { H3ErrorCode } from './h3/errors.js';
import { StreamLimitError } from './quic/connection.js';
import type { QuicStream } from './quic/stream.js';
import { StreamCarrier } from './stream-carrier.js';
import { readHead, StreamProtocolError } from './stream-io.js';

export interface Http3ClientOptions extends ClientHandshakeOptions {
  /** Extra request header fields (names are sent in lowercase, as HTTP/3 requires). */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** How the server's certificate is checked; connections are shared only between equal options. */
  tls?: Http3ClientTls;
  /** The connections to share; default: one pool for the whole process. */
  pool?: SessionPool;
}

/** The pool of `connect` calls that name none: connections close when their last WebSocket ends. */
export const defaultPool = new SessionPool();

/**
 * Opens a WebSocket over HTTP/3 to a wss:// URL (HTTP/3 has no cleartext
 * form). A server that does not allow extended CONNECT fails it with
 * HandshakeError `NOT_SUPPORTED`: the caller may fall back to HTTP/2.
 */
export async function connect(input: string | URL, options: Http3ClientOptions = {}): Promise<WebSocketConnection> {
  return handshake(input, options, connectionEnding(options));
}

/**
 * Opens a tunnel (tunnel.ts in @wstack/core) over HTTP/3: the handshake of
 * `connect`, but the extension offer goes out as given and the answer is
 * taken unchecked, since the peer at the tunnel's far end applies the
 * extensions. The tunnel shares the pool's connections with WebSockets.
 */
export async function openTunnel(input: string | URL, options: Http3ClientOptions & TunnelOffer = {}): Promise<Tunnel> {
  return handshake(input, options, tunnelEnding(options));
}

/** The extended CONNECT handshake (RFC 9220 §3) on a pooled connection; the connection is held as long as what it opens. */
async function handshake<T extends WebSocketConnection | Tunnel>(input: string | URL, options: Http3ClientOptions, ending: HandshakeEnding<T>): Promise<T> {
  const url = parseWebSocketUrl(input);
  if (url.protocol !== 'wss:') throw new HandshakeError('NOT_SUPPORTED', `HTTP/3 runs over TLS only: use wss:// (got ${url.protocol}//)`);
  const pool = options.pool ?? defaultPool;
  const protocols = options.protocols ?? [];
  const deadline = new Deadline(options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT, options.signal, `the WebSocket handshake with ${url.host}`);
  let lease: SessionLease | undefined;
  let stream: QuicStream | undefined;
  try {
    const acquire = async () => {
      const acquired = await pool.acquire(url, options.tls ?? {}, (promise) => deadline.race(promise));
      // RFC 9220 §3: without SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 the request would be malformed.
      if (!acquired.settings.enableConnectProtocol) {
        acquired.release();
        throw new HandshakeError('NOT_SUPPORTED', `${url.host} does not allow extended CONNECT (RFC 9220) on HTTP/3`);
      }
      return acquired;
    };
    lease = await acquire();
    stream = tryOpenStream(lease);
    if (stream === undefined) {
      // The shared connection is out of stream credit (RFC 9000 §4.6): it takes no more WebSockets, and this one gets a new connection.
      pool.retireConnection(lease.connection);
      lease.release();
      lease = undefined;
      lease = await acquire();
      stream = tryOpenStream(lease);
      if (stream === undefined) throw new HandshakeError('NOT_SUPPORTED', `${url.host} allows no request stream on a new HTTP/3 connection`, 0);
    }
    stream.write(encodeHeaders(requestFields(url, options, protocols, ending.offer)));
    const decoder = new RequestStreamDecoder({ role: 'client', requestMethod: 'CONNECT', maxFieldSectionSize: lease.connection.session.localSettings.maxFieldSectionSize });
    let read;
    try {
      read = await deadline.race(readHead<{ type: 'response'; head: ResponseHead; fields: [string, string][] }>(stream, decoder, 'response'));
    } catch (error) {
      if (error instanceof StreamProtocolError && error.error.isConnectionError) lease.connection.connectionError(error.error);
      if (error instanceof StreamProtocolError || !(error instanceof HandshakeError)) {
        throw new HandshakeError('UNEXPECTED_STATUS', `no valid answer from the server: ${(error as Error).message}`, 0);
      }
      throw error;
    }
    const { status } = read.event.head;
    const headers = fieldsOf(read.event.head);
    if (status !== 200) throw new HandshakeError('UNEXPECTED_STATUS', `server answered ${status}`, status);
    const answer = checkAnswer(headers, protocols, ending.agree);
    const carrier = new StreamCarrier(stream, decoder, read.rest, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, lease.connection);
    const opened = ending.open(carrier, { ...answer, path: url.pathname + url.search, headers });
    lease.hold(carrier, opened);
    return opened;
  } catch (error) {
    stream?.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    lease?.release();
    throw error;
  } finally {
    deadline.clear();
  }
}

/** A request stream, or undefined when the connection is out of stream credit (RFC 9000 §4.6). */
function tryOpenStream(lease: SessionLease): QuicStream | undefined {
  try {
    return lease.connection.newRequestStream();
  } catch (error) {
    if (error instanceof StreamLimitError) return undefined;
    throw error;
  }
}

/** The CONNECT request of RFC 9220 §3 (RFC 8441 §5). */
function requestFields(url: URL, options: Http3ClientOptions, protocols: readonly string[], offer: string | undefined): [string, string][] {
  const fields: [string, string][] = [
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', 'https'],
    [':authority', url.host],
    [':path', url.pathname + url.search],
    ['sec-websocket-version', H3_WEBSOCKET_VERSION],
  ];
  if (protocols.length !== 0) fields.push(['sec-websocket-protocol', protocols.join(', ')]);
  if (offer !== undefined) fields.push(['sec-websocket-extensions', offer]);
  if (options.origin !== undefined) fields.push(['origin', options.origin]);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower.startsWith(':')) continue;
    for (const one of typeof value === 'string' ? [value] : value) fields.push([lower, one]);
  }
  return fields;
}

/** RFC 6455 §4.1 as RFC 9220 keeps it: a subprotocol and extensions that were offered; no Sec-WebSocket-Accept. */
function checkAnswer(headers: Record<string, string>, protocols: readonly string[], agree: HandshakeEnding<unknown>['agree']) {
  const protocol = checkSubprotocolAnswer(protocols, headers['sec-websocket-protocol']);
  const { extensions, deflate } = agree(headers['sec-websocket-extensions']);
  return { protocol, extensions, ...(deflate ? { deflate } : {}) };
}

