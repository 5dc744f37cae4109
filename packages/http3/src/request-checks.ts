/**
 * Is this HTTP/3 request a valid WebSocket opening handshake by extended
 * CONNECT (RFC 9220 §3, which applies RFC 8441 §4–5 to HTTP/3)? Pure checks
 * over the decoded request head (already well-formed per RFC 9114 §4.3 by
 * message-validation.ts); the answer is the transport-neutral UpgradeRequest
 * or the HTTP rejection to send on the stream.
 *
 * Version policy as over HTTP/2: exactly 13 (RFC 6455 §4.1); anything else
 * gets 426 with `sec-websocket-version: 13` (RFC 6455 §4.4).
 */
import { readClientOffers, sharedFieldValue, type ExtensionOffer } from '@wstack/protocol';
import { reject, type Rejection, type UpgradeRequest } from '@wstack/core';
import type { RequestHead } from './h3/message-validation.js';

export interface HeaderLimits {
  /** Most header fields (pseudo-header fields included) a request may have; more gets 431. Default 100. */
  maxHeaderCount?: number;
  /** Most bytes of header names and values together; more gets 431. Default 16 KiB. */
  maxHeaderBytes?: number;
}

export const DEFAULT_MAX_HEADER_COUNT = 100;
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/** The only Sec-WebSocket-Version spoken over HTTP/3. */
export const H3_WEBSOCKET_VERSION = '13';

export type CheckedConnect = { request: UpgradeRequest } | { reject: Rejection };

export function checkConnectRequest(head: RequestHead, remoteAddress: string | undefined, limits: HeaderLimits = {}): CheckedConnect {
  if (exceedsLimits(head, limits)) return { reject: reject(431) };
  if (head.method !== 'CONNECT') {
    return { reject: reject(405, 'This is a WebSocket endpoint: open it with extended CONNECT (RFC 9220)', { allow: 'CONNECT' }) };
  }
  // RFC 9110 §9.3.6: CONNECT without :protocol asks for a TCP tunnel; another :protocol is another protocol.
  if (head.protocol === undefined) return { reject: reject(501, 'CONNECT tunnels are not served here') };
  if (head.protocol.toLowerCase() !== 'websocket') return { reject: reject(501, `The protocol ${JSON.stringify(head.protocol)} is not served here`) };
  // RFC 8441 §4 (RFC 9220 §3): :scheme and :path are present; RFC 9114 §4.3.1 wants :authority on CONNECT.
  const { scheme, path, authority } = head;
  if (scheme !== 'https' && scheme !== 'http') return { reject: reject(400, ':scheme must be https or http') };
  if (path === undefined || !path.startsWith('/')) return { reject: reject(400, ':path must be an absolute path') };
  if (authority === undefined || authority === '') return { reject: reject(400, ':authority is missing') };
  const fields = fieldsOf(head);
  if (fields['sec-websocket-version']?.trim() !== H3_WEBSOCKET_VERSION) {
    return { reject: reject(426, 'Unsupported Sec-WebSocket-Version: HTTP/3 carries version 13 only', { 'sec-websocket-version': H3_WEBSOCKET_VERSION }) };
  }
  let offers: { protocols: string[]; extensions: ExtensionOffer[] };
  try {
    offers = readClientOffers(fields['sec-websocket-protocol'], fields['sec-websocket-extensions']);
  } catch (error) {
    return { reject: reject(400, (error as Error).message) };
  }
  const query = path.indexOf('?');
  return {
    request: {
      transport: 'h3',
      path,
      pathname: query === -1 ? path : path.slice(0, query),
      authority,
      origin: fields.origin,
      headers: fields,
      ...offers,
      remoteAddress,
    },
  };
}

/** The regular fields; repeated names joined with ', ' (RFC 9110 §5.3), cookies with '; ' (RFC 9114 §4.2.1). */
export function fieldsOf(head: { fields: readonly (readonly [string, string])[] }): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of head.fields) {
    const before = fields[name];
    fields[name] = before === undefined ? sharedFieldValue(name, value) : `${before}${name === 'cookie' ? '; ' : ', '}${value}`;
  }
  return fields;
}

function exceedsLimits(head: RequestHead, limits: HeaderLimits): boolean {
  let count = 1;
  let bytes = ':method'.length + head.method.length;
  for (const [name, value] of [
    [':scheme', head.scheme],
    [':authority', head.authority],
    [':path', head.path],
    [':protocol', head.protocol],
  ] as const) {
    if (value === undefined) continue;
    count++;
    bytes += name.length + value.length;
  }
  for (const [name, value] of head.fields) {
    count++;
    bytes += name.length + value.length;
  }
  return count > (limits.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT) || bytes > (limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES);
}
