/**
 * Ordinary requests over HTTP/2 and HTTP/3, served by a node:http request
 * listener (Express, Koa's `app.callback()`, a plain `(req, res)` handler)
 * as if they came over HTTP/1.1. Frameworks set the prototypes of the
 * request and response to their own objects built on node:http's
 * IncomingMessage and ServerResponse (Express does so on every request), so
 * those objects must be real node:http ones: no lookalike class survives
 * that. The request is an IncomingMessage fed from the stream; the response
 * is a ServerResponse whose socket (ResponseWire) turns the HTTP/1.1 it is
 * written into the stream's header sections and DATA.
 */
import { IncomingMessage, ServerResponse, type RequestListener } from 'node:http';
import type { Socket } from 'node:net';
import type { FieldList } from './response-head.js';
import { ResponseWire } from './response-wire.js';

/** Where a request came from, as node:http's socket says it. */
export interface ExchangePeer {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  remoteFamily?: string | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
  /** TLS: frameworks read `req.socket.encrypted` to tell https from http. */
  encrypted: boolean;
  /** 'h2', 'h3'. */
  alpnProtocol: string;
}

/** What the exchange tells of the request's content. Every call comes at most once after `end` or `abort`. */
export interface RequestBodySink {
  data(chunk: Buffer): void;
  /** The request's trailer section, before `end`. */
  trailers(fields: FieldList): void;
  /** The request is complete. */
  end(): void;
  /** The stream was reset or its connection lost before the exchange was over. */
  abort(error: Error): void;
  /** Both directions are over: the response went out and the request was read (or reset). */
  closed(): void;
}

/** One request stream of HTTP/2 or HTTP/3, as the transport hands it over. */
export interface RequestExchange {
  readonly httpVersion: '2.0' | '3.0';
  readonly method: string;
  /** `:path` (RFC 9113 §8.3.1, RFC 9114 §4.3.1). */
  readonly path: string;
  readonly authority: string | undefined;
  /** The regular fields in order, names in lowercase. */
  readonly fields: FieldList;
  /** The request ended with its header section: it has no content (END_STREAM on HEADERS, or the FIN with them). */
  readonly headOnly: boolean;
  readonly peer: ExchangePeer;
  /** Starts delivering the request's content to `sink`. */
  read(sink: RequestBodySink): void;
  pause(): void;
  resume(): void;
  /** An interim (1xx) response. */
  informational(status: number, fields: FieldList): void;
  /** The response's header section; `end` when no content follows. */
  respond(status: number, fields: FieldList, end: boolean): void;
  /** Response content; `done` once the transport took it (the backpressure of the response). */
  write(chunk: Buffer, done: () => void): void;
  /** Ends the response, with a trailer section when there is one. */
  end(trailers: FieldList | undefined): void;
  /** Gives up the exchange (the response cannot be completed): the stream is reset. */
  reset(): void;
}

/** node:http's parser fills a request's headers (and, once complete, its trailers) through this method of IncomingMessage. */
interface HeaderLines {
  _addHeaderLines(lines: string[], count: number): void;
}

/** The error a request whose stream was reset mid-way is destroyed with, as node:http's. */
function abortedError(cause: Error): Error {
  return Object.assign(new Error('aborted', { cause }), { code: 'ECONNRESET' });
}

/**
 * Hands the exchange to `listener` as node:http's (req, res). An exception
 * the listener throws is the application's, as with node:http: it is
 * thrown again outside the transport's code, which it must not unwind.
 */
export function serveExchange(exchange: RequestExchange, listener: RequestListener): void {
  const wire = new ResponseWire(exchange);
  const socket = wire as unknown as Socket;
  const request = new IncomingMessage(socket);
  request.method = exchange.method;
  request.url = exchange.path;
  request.httpVersion = exchange.httpVersion;
  request.httpVersionMajor = Number(exchange.httpVersion[0]);
  request.httpVersionMinor = 0;
  const headerLines = request as unknown as HeaderLines;
  const raw = rawHeaders(exchange);
  // node:http's own joining of repeated fields (cookies with '; ', set-cookie as a list, a second host dropped).
  headerLines._addHeaderLines(raw, raw.length);
  // Read when the application reads: the transport's flow control holds the rest (RFC 9113 §5.2, RFC 9000 §4).
  request._read = () => exchange.resume();
  let trailers: FieldList | undefined;
  exchange.read({
    data: (chunk) => {
      if (!request.push(chunk)) exchange.pause();
    },
    trailers: (fields) => {
      trailers = fields;
    },
    end: () => {
      request.complete = true;
      // After `complete`, node:http takes the lines as the trailers.
      if (trailers !== undefined) headerLines._addHeaderLines(trailers.flat(), trailers.length * 2);
      request.push(null);
    },
    abort: (error) => {
      wire.gone();
      if (!request.complete) request.destroy(abortedError(error));
    },
    closed: () => wire.gone(),
  });
  const response = new ServerResponse(request);
  // node:http takes a minor version of 0 for HTTP/1.0, which has no chunked coding: this is not HTTP/1.0.
  response.useChunkedEncodingByDefault = true;
  response.shouldKeepAlive = false;
  wire.serve(response);
  response.assignSocket(socket);
  response.once('finish', () => {
    // node:http reads and drops a request body nobody read once the response is out; so does this.
    if (request.readableFlowing === null) request.resume();
  });
  try {
    listener(request, response);
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}

/**
 * node:http's raw header list: `host` from `:authority` when the request
 * has none (RFC 9113 §8.3.1), the fields, and for content of unknown
 * length `transfer-encoding: chunked`, as HTTP/1.1 would carry it (RFC 9112
 * §6.3): without either length field, node:http code takes a request for
 * bodiless (body-parser's type-is, for one), which over HTTP/2 and HTTP/3
 * it need not be (the stream's end delimits the content).
 */
function rawHeaders(exchange: RequestExchange): string[] {
  const raw: string[] = [];
  let host = false;
  let length = false;
  for (const [name, value] of exchange.fields) {
    if (name === 'host') host = true;
    else if (name === 'content-length') length = true;
    raw.push(name, value);
  }
  if (!host && exchange.authority !== undefined) raw.unshift('host', exchange.authority);
  if (!length && !exchange.headOnly) raw.push('transfer-encoding', 'chunked');
  return raw;
}
