/**
 * Is this HTTP/2 request a valid WebSocket opening handshake by extended
 * CONNECT (RFC 8441 §4, §5)? Pure checks over the request's header list;
 * the answer is the transport-neutral UpgradeRequest, or the HTTP rejection
 * to send on the stream.
 *
 * Version policy: RFC 8441 §5 takes Sec-WebSocket-Version from RFC 6455,
 * whose §4.1 requires the value 13. Version 8 (the hybi drafts that the
 * HTTP/1.1 transport still accepts) never ran over HTTP/2, so here exactly 13
 * is accepted and anything else gets 426 with `sec-websocket-version: 13`
 * (RFC 6455 §4.4).
 */
import type { IncomingHttpHeaders } from 'node:http2';
import { readClientOffers, sharedFields, singleFieldValue, type ExtensionOffer } from '@wstack/protocol';
import { reject, type Rejection, type UpgradeRequest } from '@wstack/core';

export interface HeaderLimits {
  /** Most header fields (pseudo-header fields included) a request may have; more gets 431. Default 100. */
  maxHeaderCount?: number;
  /** Most bytes of header names and values together; more gets 431. Default 16 KiB. */
  maxHeaderBytes?: number;
}

export const DEFAULT_MAX_HEADER_COUNT = 100;
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/** The only Sec-WebSocket-Version spoken over HTTP/2. */
export const H2_WEBSOCKET_VERSION = '13';

export type CheckedConnect = { request: UpgradeRequest } | { reject: Rejection };

/**
 * Checks a request that reached the WebSocket server. `rawHeaders` is the
 * flat name/value list node:http2 hands to 'stream' listeners, used for the
 * size limits; without it the limits are computed from `headers`.
 */
export function checkConnectRequest(
  headers: IncomingHttpHeaders,
  remoteAddress: string | undefined,
  limits: HeaderLimits = {},
  rawHeaders?: readonly string[],
): CheckedConnect {
  if (exceedsLimits(headers, limits, rawHeaders)) return { reject: reject(431) };
  const method = singleFieldValue(headers[':method']);
  // A plain request (GET, POST, …): this resource speaks only extended CONNECT.
  if (method !== 'CONNECT') {
    return { reject: reject(405, 'This is a WebSocket endpoint: open it with extended CONNECT (RFC 8441)', { allow: 'CONNECT' }) };
  }
  const protocol = singleFieldValue(headers[':protocol']);
  // RFC 9110 §9.3.6 CONNECT without :protocol asks for a TCP tunnel; another :protocol is another protocol.
  if (protocol === undefined) return { reject: reject(501, 'CONNECT tunnels are not served here') };
  if (protocol.toLowerCase() !== 'websocket') return { reject: reject(501, `The protocol ${JSON.stringify(protocol)} is not served here`) };
  // RFC 8441 §4: an extended CONNECT carries :scheme and :path; RFC 9113 §8.3.1 requires :authority of CONNECT.
  const scheme = singleFieldValue(headers[':scheme']);
  const path = singleFieldValue(headers[':path']);
  const authority = singleFieldValue(headers[':authority']);
  if (scheme !== 'http' && scheme !== 'https') return { reject: reject(400, ':scheme must be http or https') };
  if (path === undefined || !path.startsWith('/')) return { reject: reject(400, ':path must be an absolute path') };
  if (authority === undefined || authority === '') return { reject: reject(400, ':authority is missing') };
  if (singleFieldValue(headers['sec-websocket-version'])?.trim() !== H2_WEBSOCKET_VERSION) {
    return { reject: reject(426, 'Unsupported Sec-WebSocket-Version: HTTP/2 carries version 13 only', { 'sec-websocket-version': H2_WEBSOCKET_VERSION }) };
  }
  let offers: { protocols: string[]; extensions: ExtensionOffer[] };
  try {
    offers = readClientOffers(singleFieldValue(headers['sec-websocket-protocol']), singleFieldValue(headers['sec-websocket-extensions']));
  } catch (error) {
    return { reject: reject(400, (error as Error).message) };
  }
  const query = path.indexOf('?');
  const request: UpgradeRequest = {
    transport: 'h2',
    path,
    pathname: query === -1 ? path : path.slice(0, query),
    authority,
    origin: singleFieldValue(headers.origin),
    headers: sharedFields(headers, isRegularField),
    ...offers,
    remoteAddress,
  };
  return { request };
}

function exceedsLimits(headers: IncomingHttpHeaders, limits: HeaderLimits, rawHeaders: readonly string[] | undefined): boolean {
  const raw = rawHeaders ?? Object.entries(headers).flatMap(([name, value]) => [name, singleFieldValue(value) ?? '']);
  let bytes = 0;
  for (const text of raw) bytes += text.length;
  return raw.length / 2 > (limits.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT) || bytes > (limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
}

/** Not a pseudo-header field (RFC 9113 §8.3): those the request states separately. */
const isRegularField = (name: string) => !name.startsWith(':');
