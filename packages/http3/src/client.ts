/**
 * WebSocket client over HTTP/3 extended CONNECT (RFC 9220 §3): opens (or
 * shares) a QUIC connection to the origin, waits for the server's SETTINGS
 * to allow extended CONNECT, sends the CONNECT request on a new request
 * stream and checks for the 200 answer; core's connectOver (or tunnelOver)
 * makes a connection (or a tunnel) of the stream.
 */
import { HandshakeError } from '@wstack/protocol';
import { checkOptions, connectOver, Deadline, optionNameSet, CLIENT_HANDSHAKE_OPTION_NAMES, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, type ClientHandshakeOptions, type HandshakeAnswer, type OutgoingHandshake, type TransportClient, type WebSocketConnection } from '@wstack/core';
import { CLIENT_ADVICE } from './known-options.js';
import type { ResponseHead } from './h3/message-validation.js';
import { H3_WEBSOCKET_VERSION, fieldsOf } from './request-checks.js';
import { RequestStreamDecoder, encodeHeaders } from './h3/request-stream.js';
import { SessionPool, tryOpenStream, type Http3ClientTls, type SessionLease } from './session-pool.js';
import { H3ErrorCode } from './h3/errors.js';
import type { QuicStream } from './quic/stream.js';
import { StreamCarrier } from './stream-carrier.js';
import { MAX_OFFERS, StreamEndedError, StreamProtocolError } from './errors.js';
import { readHead } from './stream-io.js';

export interface Http3ClientOptions extends ClientHandshakeOptions {
  /** Extra request header fields (names are sent in lowercase, as HTTP/3 requires). */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** How the server's certificate is checked; connections are shared only between equal options. */
  tls?: Http3ClientTls;
  /** The connections to share; default: one pool for the whole process. */
  pool?: SessionPool;
}

const OPTIONS = optionNameSet<Http3ClientOptions>({ ...CLIENT_HANDSHAKE_OPTION_NAMES, headers: true, tls: true, pool: true });

/** The pool of `connect` calls that name none: connections close when their last WebSocket ends. */
export const defaultPool = new SessionPool();

/** The HTTP/3 client: the extended CONNECT of RFC 9220 §3 on a pooled QUIC connection, and the 200 it needs. */
export const http3Client: TransportClient<Http3ClientOptions> = { transport: 'h3', handshake };

/**
 * Opens a WebSocket over HTTP/3 to a wss:// URL (HTTP/3 has no cleartext
 * form). A server that does not allow extended CONNECT fails it with
 * HandshakeError `NOT_SUPPORTED`: the caller may fall back to HTTP/2. An
 * option it does not know rejects with a TypeError.
 */
export async function connect(input: string | URL, options: Http3ClientOptions = {}): Promise<WebSocketConnection> {
  checkOptions(options, OPTIONS, 'the http3 connect', CLIENT_ADVICE);
  return connectOver(http3Client, input, options);
}

/** The extended CONNECT handshake (RFC 9220 §3) on a pooled connection; the connection is held as long as what it opens. */
async function handshake({ url, protocols, extensions }: OutgoingHandshake, options: Http3ClientOptions): Promise<HandshakeAnswer> {
  if (url.protocol !== 'wss:') throw new HandshakeError('NOT_SUPPORTED', `HTTP/3 runs over TLS only: use wss:// (got ${url.protocol}//)`);
  const pool = options.pool ?? defaultPool;
  const deadline = new Deadline(options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT, options.signal, `the WebSocket handshake with ${url.host}`);
  let lease: SessionLease | undefined;
  let stream: QuicStream | undefined;
  const abandon = () => {
    stream?.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    lease?.release();
  };
  try {
    const acquire = async () => {
      const acquired = await pool.acquire(url, options.tls ?? {}, (promise) => deadline.race(promise));
      // RFC 9220 §3: without SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 the request would be malformed.
      if (!acquired.session.settings.enableConnectProtocol) {
        acquired.release();
        throw new HandshakeError('NOT_SUPPORTED', `${url.host} does not allow extended CONNECT (RFC 9220) on HTTP/3`);
      }
      return acquired;
    };
    /** The connection takes no more WebSockets: this one goes to a new connection. */
    const moveOn = () => {
      pool.retire(lease!.session);
      lease!.release();
      [lease, stream] = [undefined, undefined];
    };
    const open = async () => {
      lease = await acquire();
      stream = tryOpenStream(lease);
      if (stream === undefined) {
        // Out of stream credit (RFC 9000 §4.6).
        moveOn();
        lease = await acquire();
        stream = tryOpenStream(lease);
        if (stream === undefined) throw new HandshakeError('NOT_SUPPORTED', `${url.host} allows no request stream on a new HTTP/3 connection`, 0);
      }
      stream.write(encodeHeaders(requestFields(url, options, protocols, extensions)));
      const decoder = new RequestStreamDecoder({ role: 'client', requestMethod: 'CONNECT', maxFieldSectionSize: lease.session.connection.session.localSettings.maxFieldSectionSize });
      return { decoder, read: await deadline.race(readHead<{ type: 'response'; head: ResponseHead; fields: [string, string][] }>(stream, decoder, 'response')) };
    };
    let answer;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          answer = await open();
          break;
        } catch (error) {
          if (!(error instanceof StreamEndedError && error.refusedUnprocessed) || attempt === MAX_OFFERS) throw error;
          // RFC 9114 §4.1.1: a rejected request was not processed; it went out after the server's GOAWAY, which is on its
          // way. The next connection the pool hands out may have had a GOAWAY of its own on the way too.
          moveOn();
        }
      }
    } catch (error) {
      if (error instanceof StreamProtocolError && error.error.isConnectionError) lease?.session.connection.connectionError(error.error);
      if (error instanceof StreamProtocolError || error instanceof StreamEndedError) {
        throw new HandshakeError('UNEXPECTED_STATUS', `no valid answer from the server: ${(error as Error).message}`, 0);
      }
      throw error;
    }
    const { decoder, read } = answer;
    if (lease === undefined || stream === undefined) throw new Error('unreachable: an answer without a stream');
    const { status } = read.event.head;
    if (status !== 200) throw new HandshakeError('UNEXPECTED_STATUS', `server answered ${status}`, status);
    // Constants for the closures below (lease and stream are reassigned above).
    const held = lease;
    const requestStream = stream;
    const rest = read.rest;
    let carrier: StreamCarrier | undefined;
    return {
      headers: fieldsOf(read.event.head),
      carrier: () => (carrier = new StreamCarrier(requestStream, decoder, rest, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, held.session.connection)),
      opened: (rider) => {
        held.session.connection.hold(carrier!, rider);
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
