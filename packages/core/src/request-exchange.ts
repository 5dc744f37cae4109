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
import type { RequestExchange } from './exchange.js';
import type { FieldList } from './response-head.js';
import { ResponseWire } from './response-wire.js';

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
  /** The request's content is no longer wanted (the response finished first). */
  let discarding = false;
  let aborted = false;
  exchange.read({
    data: (chunk) => {
      if (!discarding && !request.push(chunk)) exchange.pause();
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
      aborted = true;
      wire.gone(true);
      if (!request.complete) request.destroy(abortedError(error));
    },
    closed: () => wire.gone(false),
  });
  // A request found malformed in its first bytes is reset before any listener sees it, as node:http drops one.
  if (aborted) return;
  const response = new ServerResponse(request);
  // node:http takes a minor version of 0 for HTTP/1.0, which has no chunked coding: this is not HTTP/1.0.
  response.useChunkedEncodingByDefault = true;
  response.shouldKeepAlive = false;
  wire.serve(response);
  response.assignSocket(socket);
  response.once('finish', () => {
    if (request.complete) {
      // node:http drops what the application left unread once the response is out; so does this.
      if (request.readableFlowing === null) request.resume();
      return;
    }
    discarding = true;
    exchange.discard();
  });
  // node:http answers `Expect: 100-continue` itself when nobody listens for 'checkContinue' (RFC 9110 §10.1.1).
  if (request.headers.expect?.toLowerCase() === '100-continue') response.writeContinue();
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
