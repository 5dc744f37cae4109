/**
 * Ordinary HTTP/3 requests (RFC 9114 §4.1) on the pooled QUIC connections
 * the WebSocket client uses: HEADERS, the content as DATA (from bytes or
 * an async iterable, with backpressure), FIN; the response's header
 * section, content and trailers, held to its content-length by the
 * decoder (§4.1.2). Aborting (signal, timeout) resets the stream with
 * H3_REQUEST_CANCELLED, mid-body included.
 */
import { checkOptions, Deadline, optionNameSet } from '@wstack/core';
import { H3ErrorCode } from './h3/errors.js';
import { RequestStreamDecoder, encodeDataHeader, encodeHeaders, type RequestStreamEvent } from './h3/request-stream.js';
import { defaultPool } from './client.js';
import { MAX_OFFERS, StreamEndedError, StreamProtocolError } from './errors.js';
import { IGNORE, type QuicStream } from './quic/stream.js';
import { fieldsOf } from './request-checks.js';
import { CONNECTION_SPECIFIC } from './h3/message-validation.js';
import { tryOpenStream, type Http3ClientTls, type SessionLease, type SessionPool } from './session-pool.js';

export interface Http3RequestOptions {
  /** Default GET. */
  method?: string;
  /** Request header fields (names are sent in lowercase, as HTTP/3 requires). */
  headers?: Readonly<Record<string, string | readonly string[]>>;
  /** The content: bytes, text, or chunks as they come. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
  /** How the server's certificate is checked; connections are shared only between equal options. */
  tls?: Http3ClientTls;
  /** The connections to share; default: the pool of `connect`. */
  pool?: SessionPool;
  /** Aborts the request: the stream is reset. */
  signal?: AbortSignal;
  /** Milliseconds for the whole exchange. Default 30,000. */
  timeout?: number;
}

export interface Http3Reply {
  status: number;
  /** Fields with lowercase names; repeated ones joined. */
  headers: Record<string, string>;
  trailers: Record<string, string>;
  body: Buffer;
}

const OPTIONS = optionNameSet<Http3RequestOptions>({ method: true, headers: true, body: true, tls: true, pool: true, signal: true, timeout: true });

const DEFAULT_TIMEOUT = 30_000;

/** Sends a request over HTTP/3 to an https:// URL and reads the whole response. */
export async function request(input: string | URL, options: Http3RequestOptions = {}): Promise<Http3Reply> {
  checkOptions(options, OPTIONS, 'the http3 request');
  const url = new URL(input);
  if (url.protocol !== 'https:') throw new TypeError(`HTTP/3 requests take https:// URLs (got ${url.protocol}//)`);
  const method = (options.method ?? 'GET').toUpperCase();
  const pool = options.pool ?? defaultPool;
  const deadline = new Deadline(options.timeout ?? DEFAULT_TIMEOUT, options.signal, `the HTTP/3 request to ${url.host}`);
  // RFC 9114 §4.1.1: a request refused unprocessed (it went out after the server's GOAWAY) can go to a new connection,
  // when its content can be sent again.
  const replayable = options.body === undefined || typeof options.body === 'string' || options.body instanceof Uint8Array;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await attemptRequest(url, method, options, pool, deadline);
      } catch (error) {
        if (!replayable || attempt === MAX_OFFERS || !(error instanceof StreamEndedError && error.refusedUnprocessed)) throw error;
      }
    }
  } finally {
    deadline.clear();
  }
}

async function attemptRequest(url: URL, method: string, options: Http3RequestOptions, pool: SessionPool, deadline: Deadline): Promise<Http3Reply> {
  let lease: SessionLease | undefined;
  let stream: QuicStream | undefined;
  try {
    lease = await pool.acquire(url, options.tls ?? {}, (promise) => deadline.race(promise));
    stream = tryOpenStream(lease);
    if (stream === undefined) {
      // Out of stream credit (RFC 9000 §4.6): a new connection.
      pool.retire(lease.session);
      lease.release();
      lease = await pool.acquire(url, options.tls ?? {}, (promise) => deadline.race(promise));
      stream = tryOpenStream(lease);
      if (stream === undefined) throw new Error(`${url.host} allows no request stream on a new HTTP/3 connection`);
    }
    const exchange = new ClientExchange(stream, new RequestStreamDecoder({ role: 'client', requestMethod: method, maxFieldSectionSize: lease.session.connection.session.localSettings.maxFieldSectionSize }));
    stream.write(encodeHeaders(requestFields(url, method, options.headers)));
    await exchange.send(options.body, deadline);
    return await deadline.race(exchange.reply);
  } catch (error) {
    stream?.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    if (lease !== undefined && error instanceof StreamEndedError && error.refusedUnprocessed) pool.retire(lease.session);
    throw error;
  } finally {
    lease?.release();
  }
}

/** The request head of RFC 9114 §4.3.1. */
function requestFields(url: URL, method: string, headers: Http3RequestOptions['headers']): [string, string][] {
  const fields: [string, string][] = [
    [':method', method],
    [':scheme', 'https'],
    [':authority', url.host],
    [':path', url.pathname + url.search],
  ];
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    // RFC 9114 §4.2: connection-specific fields make a request malformed; :authority stands for host.
    if (lower.startsWith(':') || lower === 'host' || CONNECTION_SPECIFIC.has(lower)) continue;
    for (const one of typeof value === 'string' ? [value] : value) if (lower !== 'te' || one === 'trailers') fields.push([lower, one]);
  }
  return fields;
}

/** One request stream seen from the client: the content sent with backpressure, the response collected. */
class ClientExchange {
  readonly reply: Promise<Http3Reply>;
  /** Rejects when the exchange fails (a reset, the connection's end, a malformed response); never resolves. */
  private readonly failed: Promise<never>;
  private drained: (() => void) | undefined;
  /** The server asked us to stop sending (STOP_SENDING), e.g. after a complete response (RFC 9114 §4.1.2). */
  private stopped = false;

  constructor(
    private readonly stream: QuicStream,
    decoder: RequestStreamDecoder,
  ) {
    this.reply = new Promise((resolve, reject) => {
      let status = 0;
      let headers: Record<string, string> = {};
      let trailers: Record<string, string> = {};
      const content: Buffer[] = [];
      const take = (event: RequestStreamEvent) => {
        switch (event.type) {
          case 'response':
            status = event.head.status;
            headers = fieldsOf(event.head);
            return;
          case 'data':
            content.push(event.data);
            return;
          case 'trailers':
            trailers = fieldsOf({ fields: event.fields });
            return;
          case 'end':
            return resolve({ status, headers, trailers, body: Buffer.concat(content) });
          case 'error':
            return reject(new StreamProtocolError(event.error));
          default:
            return;
        }
      };
      stream.handler = {
        ...IGNORE,
        data: (chunk, fin) => {
          for (const event of decoder.receive(chunk, fin)) take(event);
        },
        reset: (code) => reject(new StreamEndedError(`the server reset the stream with code 0x${code.toString(16)}`, { resetCode: code })),
        stopped: () => {
          this.stopped = true;
          this.drained?.();
        },
        drain: () => this.drained?.(),
        closed: (error) => reject(new StreamEndedError(`the connection ended: ${error.message}`, { cause: error })),
      };
    });
    this.failed = this.reply.then(() => new Promise<never>(() => undefined));
    // The request may fail before anyone awaits the reply.
    this.failed.catch(() => undefined);
  }

  /**
   * Sends the content and the FIN. An iterable is read until its end, or
   * until the server asks us to stop (STOP_SENDING): a response that came
   * first does not end it (RFC 9114 §4.1.2: the client keeps sending unless
   * told to stop).
   */
  async send(body: Http3RequestOptions['body'], deadline: Deadline): Promise<void> {
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      if (bytes.length !== 0) this.writeData(bytes);
    } else if (body !== undefined) {
      const wait = interruptible(deadline.race(this.failed));
      const chunks = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await wait(chunks.next());
          if (next.done || this.stopped) break;
          if (!this.writeData(next.value)) await wait(new Promise<void>((resolve) => (this.drained = resolve)));
        }
      } finally {
        chunks.return?.().catch(() => undefined);
      }
    }
    this.stream.end();
  }

  private writeData(bytes: Uint8Array): boolean {
    if (this.stopped || bytes.length === 0) return true;
    this.stream.write(encodeDataHeader(bytes.length));
    return this.stream.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
}

/**
 * Waits that end early when `interruption` rejects. Each wait registers one
 * callback, dropped when it settles: racing every chunk's wait against the
 * same pending promise would leave a reaction on it per chunk.
 */
function interruptible(interruption: Promise<never>): <T>(promise: Promise<T>) => Promise<T> {
  let failure: { error: unknown } | undefined;
  let current: ((error: unknown) => void) | undefined;
  interruption.catch((error: unknown) => {
    failure = { error };
    current?.(error);
  });
  return <T>(promise: Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      if (failure !== undefined) return reject(failure.error);
      current = reject;
      promise.then(resolve, reject).finally(() => {
        if (current === reject) current = undefined;
      });
    });
}
