/** The answers a server sends on a stream, and to ordinary requests on a server of its own. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { statusText, type AnswerHeaders, type Rejection } from '@wstack/core';

/**
 * The success answer of RFC 8441 §5: 200 with the negotiated subprotocol and
 * extensions. No Sec-WebSocket-Accept: :protocol replaces the key exchange.
 */
export function acceptHeaders(protocol: string, extensions: string, altSvc?: string, added: AnswerHeaders = {}): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ':status': 200 };
  // A policy's fields first: what the handshake itself says cannot be overridden, and connection-specific ones are dropped.
  for (const [name, value] of Object.entries(added)) {
    const lower = name.toLowerCase();
    if (!CONNECTION_SPECIFIC.has(lower) && !lower.startsWith(':')) headers[lower] = typeof value === 'string' ? value : [...value];
  }
  if (protocol !== '') headers['sec-websocket-protocol'] = protocol;
  if (extensions !== '') headers['sec-websocket-extensions'] = extensions;
  if (altSvc !== undefined) headers['alt-svc'] = altSvc;
  return headers;
}

/** Connection-specific fields, which HTTP/2 forbids (RFC 9113 §8.2.2); a hook's rejection may carry them. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host']);

/** Sends a refusal with a plain-text body and END_STREAM. The rest of the session is untouched. */
export function respondRejection(stream: ServerHttp2Stream, rejection: Rejection): void {
  if (stream.destroyed || stream.headersSent) return;
  const body = Buffer.from(rejection.body ?? statusText(rejection.status));
  const headers: OutgoingHttpHeaders = { ':status': rejection.status, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length };
  for (const [name, value] of Object.entries(rejection.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(':') && !CONNECTION_SPECIFIC.has(lower)) headers[lower] = value;
  }
  try {
    stream.respond(headers);
  } catch {
    // A header value node:http2 refuses (a hook's mistake): the status alone still goes out.
    stream.respond({ ':status': rejection.status, 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  }
  stream.end(body);
}

/**
 * Serves the requests of a server of our own that are not WebSocket
 * handshakes, over either HTTP version, with node:http's request and
 * response objects (over HTTP/2 too: see stream-exchange.ts).
 */
export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The default answer to an ordinary request. HTTP/2: 405 with `Allow:
 * CONNECT`, the one method this endpoint serves. HTTP/1.1: 426 with
 * `Upgrade: websocket` when HTTP/1.1 WebSockets are served too (as the
 * HTTP/1.1 transport answers), else 505, since only HTTP/2 is spoken here.
 */
export function defaultRequestListener(http1WebSockets: boolean): RequestListener {
  return (request, response) => {
    const h2 = request.httpVersionMajor === 2;
    const body = 'This is a WebSocket endpoint.\n';
    const headers: Record<string, string | number> = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) };
    let status: number;
    if (h2) {
      status = 405;
      headers.allow = 'CONNECT';
    } else if (http1WebSockets) {
      status = 426;
      headers.upgrade = 'websocket';
      headers.connection = 'Upgrade';
    } else {
      status = 505;
    }
    response.writeHead(status, headers);
    response.end(body);
  };
}

