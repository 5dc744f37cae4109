/**
 * WebSocket client over HTTP/2 extended CONNECT (RFC 8441 §5): opens (or
 * shares) a session to the origin, waits for the server's SETTINGS to allow
 * extended CONNECT, sends the CONNECT request and checks for the 200
 * answer; core's connectOver (or tunnelOver) makes a connection (or a
 * tunnel) of the stream.
 */
import type { ClientHttp2Stream, IncomingHttpHeaders, IncomingHttpStatusHeader, OutgoingHttpHeaders } from 'node:http2';
import { constants } from 'node:http2';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { HandshakeError } from '@wstack/protocol';
import {
  AbortError,
  checkOptions,
  connectOver,
  Deadline,
  optionNameSet,
  CLIENT_HANDSHAKE_OPTION_NAMES,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  WS_CLIENT_OPTION_ADVICE,
  type ClientHandshakeOptions,
  type HandshakeAnswer,
  type OutgoingHandshake,
  type TransportClient,
  type WebSocketConnection,
} from '@wstack/core';
import { H2_WEBSOCKET_VERSION } from './request-checks.js';
import { SessionPool, type SessionLease } from './session-pool.js';
import { StreamCarrier } from './stream-carrier.js';

export interface Http2ClientOptions extends ClientHandshakeOptions {
  /** Extra request header fields (names are sent in lowercase, as HTTP/2 requires). */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** TLS options for wss:// (ca, servername, rejectUnauthorized, cert, key, …); sessions are shared only between equal options. */
  tls?: TlsConnectionOptions;
  /** The sessions to share; default: one pool for the whole process. */
  pool?: SessionPool;
}

/** The pool of `connect` calls that name none: sessions close when their last WebSocket ends. */
export const defaultPool = new SessionPool();

/** The HTTP/2 client: the extended CONNECT of RFC 8441 §5 on a pooled session, and the 200 it needs. */
export const http2Client: TransportClient<Http2ClientOptions> = { transport: 'h2', handshake };

/**
 * Opens a WebSocket over HTTP/2 to a ws:// (h2c with prior knowledge) or
 * wss:// (TLS with ALPN h2) URL. A server that does not speak HTTP/2 or
 * does not allow extended CONNECT fails it with HandshakeError
 * `NOT_SUPPORTED`: the caller may fall back to HTTP/1.1. An option it does
 * not know rejects with a TypeError.
 */
export async function connect(input: string | URL, options: Http2ClientOptions = {}): Promise<WebSocketConnection> {
  checkOptions(options, OPTIONS, 'the http2 connect', WS_CLIENT_OPTION_ADVICE);
  return connectOver(http2Client, input, options);
}

const OPTIONS = optionNameSet<Http2ClientOptions>({ ...CLIENT_HANDSHAKE_OPTION_NAMES, headers: true, tls: true, pool: true });

/** The extended CONNECT handshake (RFC 8441 §4, §5) on a pooled session; the session is held as long as what it opens. */
async function handshake({ url, protocols, extensions }: OutgoingHandshake, options: Http2ClientOptions): Promise<HandshakeAnswer> {
  const pool = options.pool ?? defaultPool;
  const headers = requestHeaders(url, options, protocols, extensions);
  if (options.signal?.aborted) throw new AbortError(options.signal.reason);
  const deadline = new Deadline(options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT, options.signal, `the WebSocket handshake with ${url.host}`);
  let lease: SessionLease | undefined;
  let stream: ClientHttp2Stream | undefined;
  const abandon = () => {
    if (stream !== undefined && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
    lease?.release();
  };
  try {
    lease = await pool.acquire(url, options.tls, (promise) => deadline.race(promise));
    const session = lease.session.http2;
    // RFC 8441 §3: without SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 the request would be malformed.
    if (!session.remoteSettings.enableConnectProtocol) {
      throw new HandshakeError('NOT_SUPPORTED', `${url.host} does not allow extended CONNECT (RFC 8441) on HTTP/2`);
    }
    const opened = session.request(headers, { endStream: false });
    stream = opened;
    opened.on('error', () => undefined);
    const response = await deadline.race(responseOf(opened));
    const status = response[':status'];
    if (status !== 200) {
      const body = await deadline.race(bodySnippet(opened));
      throw new HandshakeError('UNEXPECTED_STATUS', `server answered ${status}${body ? `: ${body}` : ''}`, status);
    }
    const held = lease;
    return {
      headers: response,
      carrier: () => new StreamCarrier(opened, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, pool.tuning.maxBytesInFlight),
      opened: (rider) => {
        held.session.carry(rider);
        held.hold(rider);
      },
      abandon,
    };
  } catch (error) {
    abandon();
    throw error;
  } finally {
    deadline.clear();
  }
}

/** The CONNECT request of RFC 8441 §5 (example in §5.1). */
function requestHeaders(url: URL, options: Http2ClientOptions, protocols: readonly string[], offer: string | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value as string | string[];
  Object.assign(headers, {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': url.protocol === 'wss:' ? 'https' : 'http',
    ':authority': url.host,
    ':path': url.pathname + url.search,
    'sec-websocket-version': H2_WEBSOCKET_VERSION,
  });
  if (protocols.length !== 0) headers['sec-websocket-protocol'] = protocols.join(', ');
  if (offer !== undefined) headers['sec-websocket-extensions'] = offer;
  if (options.origin !== undefined) headers.origin = options.origin;
  return headers;
}

type ResponseHeaders = IncomingHttpHeaders & IncomingHttpStatusHeader;

/** The final answer's header block, or the reason the stream ended without one. */
function responseOf(stream: ClientHttp2Stream): Promise<ResponseHeaders> {
  return new Promise((resolve, reject) => {
    const onClose = () => {
      const code = stream.rstCode ?? 0;
      reject(new HandshakeError('UNEXPECTED_STATUS', `the stream closed before an answer (HTTP/2 error code ${code})`, 0));
    };
    stream.once('response', (headers) => {
      stream.off('close', onClose);
      resolve(headers);
    });
    stream.once('close', onClose);
  });
}

/** Up to 200 characters of a refusal's body, for the error message. */
function bodySnippet(stream: ClientHttp2Stream): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      if (body.length < 512) body += text;
    });
    const done = () => resolve(body.trim().slice(0, 200));
    stream.once('end', done);
    stream.once('close', done);
  });
}
