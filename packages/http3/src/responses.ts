/**
 * The answers a server sends on a request stream (RFC 9114 §4.1): a header
 * section, DATA with any body, and the FIN.
 */
import { statusText, type AnswerHeaders, type FieldList, type Rejection } from '@wstack/core';
import type { RequestListener } from 'node:http';
import { CONNECTION_SPECIFIC as CONNECTION_SPECIFIC_FIELDS } from './h3/message-validation.js';

/**
 * The success answer of RFC 9220 §3 (RFC 8441 §5): 200 with the negotiated
 * subprotocol and extensions, and no Sec-WebSocket-Accept.
 */
const FORBIDDEN_IN_ANSWER = new Set([...CONNECTION_SPECIFIC_FIELDS, 'te', 'sec-websocket-protocol', 'sec-websocket-extensions', 'alt-svc']);

export function acceptFields(protocol: string, extensions: string, altSvc?: string, added: AnswerHeaders = {}): FieldList {
  const fields: FieldList = [[':status', '200']];
  // A policy's fields, minus what HTTP/3 forbids (RFC 9114 §4.2) and what the handshake itself says.
  for (const [name, value] of Object.entries(added)) {
    const lower = name.toLowerCase();
    if (FORBIDDEN_IN_ANSWER.has(lower) || lower.startsWith(':')) continue;
    for (const one of typeof value === 'string' ? [value] : value) fields.push([lower, one]);
  }
  if (protocol !== '') fields.push(['sec-websocket-protocol', protocol]);
  if (extensions !== '') fields.push(['sec-websocket-extensions', extensions]);
  if (altSvc !== undefined) fields.push(['alt-svc', altSvc]);
  return fields;
}

/** A refusal's answer. */
export interface Http3Response {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** Serves ordinary requests (a page for a browser, say) with node:http's request and response objects. */
export type { RequestListener } from 'node:http';

/** The default answer: 405 with `Allow: CONNECT`, the one method this endpoint serves (RFC 9110 §15.5.6). */
export const defaultRequestListener: RequestListener = (_request, response) => {
  const body = 'This is a WebSocket endpoint.\n';
  response.writeHead(405, { allow: 'CONNECT', 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
};

/** RFC 9114 §4.2: fields that must not appear in HTTP/3; a hook's rejection may carry them. */
const CONNECTION_SPECIFIC = new Set([...CONNECTION_SPECIFIC_FIELDS, 'host']);

/** A response head and body as fields and bytes, with content-length, alt-svc when given, and forbidden fields left out. */
export function responseParts(response: Http3Response, altSvc?: string): { fields: FieldList; body: Buffer } {
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body as Uint8Array);
  const fields: FieldList = [[':status', String(response.status)]];
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower.startsWith(':') || CONNECTION_SPECIFIC.has(lower) || lower === 'content-length' || lower === 'alt-svc') continue;
    fields.push([lower, String(value)]);
  }
  fields.push(['content-length', String(body.length)]);
  if (altSvc !== undefined) fields.push(['alt-svc', altSvc]);
  return { fields, body };
}

/** A rejection as a plain-text response. */
export function rejectionResponse(rejection: Rejection): Http3Response {
  return {
    status: rejection.status,
    headers: { 'content-type': 'text/plain; charset=utf-8', ...(rejection.headers ?? {}) } as Record<string, string>,
    body: rejection.body ?? statusText(rejection.status),
  };
}

/** The `Alt-Svc` value (RFC 7838 §3) that announces HTTP/3 on `port` of the same host, for the TCP servers' answers. */
export function altSvcValue(port: number, maxAge?: number): string {
  return `h3=":${port}"${maxAge !== undefined ? `; ma=${maxAge}` : ''}`;
}
