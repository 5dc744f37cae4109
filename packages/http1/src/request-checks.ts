/**
 * Is this HTTP/1.1 request a valid WebSocket opening handshake (RFC 6455
 * §4.2.1)? Pure checks over the parsed request; the answer is either the
 * transport-neutral UpgradeRequest with the client's key, or the HTTP
 * rejection to send.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { checkVersion, HandshakeError, isValidKey, readClientOffers, sharedFields, singleFieldValue, SUPPORTED_VERSIONS_HEADER, type ExtensionOffer } from '@wstack/protocol';
import { reject, type Rejection, type UpgradeRequest } from '@wstack/core';

export interface HeaderLimits {
  /** Most header fields a request may have; more gets 431. Default 100. */
  maxHeaderCount?: number;
  /** Most bytes of header names and values together; more gets 431. Default 16 KiB. */
  maxHeaderBytes?: number;
}

export const DEFAULT_MAX_HEADER_COUNT = 100;
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

/** The parts of node:http's IncomingMessage that the checks read. */
export interface RequestHead {
  method?: string | undefined;
  url?: string | undefined;
  httpVersionMajor: number;
  httpVersionMinor: number;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  socket: { remoteAddress?: string | undefined };
}

export type CheckedRequest = { request: UpgradeRequest; key: string } | { reject: Rejection };

/** Whether a comma-separated header holds `token`, compared case-insensitively (RFC 9110 §5.6.1). */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const item of value.split(',')) {
    if (item.trim().toLowerCase() === token) return true;
  }
  return false;
}

export function checkUpgradeRequest(head: RequestHead, limits: HeaderLimits = {}): CheckedRequest {
  const fieldCount = head.rawHeaders.length / 2;
  let fieldBytes = 0;
  for (const text of head.rawHeaders) fieldBytes += text.length;
  if (fieldCount > (limits.maxHeaderCount ?? DEFAULT_MAX_HEADER_COUNT) || fieldBytes > (limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES)) {
    return { reject: reject(431) };
  }
  if (head.method !== 'GET') return { reject: reject(405, 'A WebSocket handshake is a GET request', { Allow: 'GET' }) };
  if (head.httpVersionMajor < 1 || (head.httpVersionMajor === 1 && head.httpVersionMinor < 1)) {
    return { reject: reject(400, 'A WebSocket handshake needs HTTP/1.1 or later') };
  }
  const headers = head.headers;
  if (!hasToken(headers.upgrade, 'websocket')) return { reject: reject(400, 'Upgrade: websocket is missing') };
  if (!hasToken(headers.connection, 'upgrade')) return { reject: reject(400, 'Connection: Upgrade is missing') };
  if (headers.host === undefined || headers.host === '') return { reject: reject(400, 'Host is missing') };
  const key = headers['sec-websocket-key'];
  if (!isValidKey(key)) return { reject: reject(400, 'Sec-WebSocket-Key must be 16 bytes in base64') };
  let offers: { protocols: string[]; extensions: ExtensionOffer[] };
  try {
    checkVersion(singleFieldValue(headers['sec-websocket-version']));
    offers = readClientOffers(singleFieldValue(headers['sec-websocket-protocol']), singleFieldValue(headers['sec-websocket-extensions']));
  } catch (error) {
    const { status, message } = error as HandshakeError;
    return status === 426
      ? { reject: reject(426, 'Unsupported Sec-WebSocket-Version', { 'Sec-WebSocket-Version': SUPPORTED_VERSIONS_HEADER }) }
      : { reject: reject(status, message) };
  }
  const socket = head.socket;
  const path = head.url ?? '/';
  const query = path.indexOf('?');
  const request: UpgradeRequest = {
    transport: 'http/1.1',
    path,
    pathname: query === -1 ? path : path.slice(0, query),
    authority: headers.host,
    origin: singleFieldValue(headers.origin),
    headers: sharedFields(headers),
    ...offers,
    // Asked of the socket when first read: Node keeps the answer on the
    // socket (an object and a string per connection), which an application
    // that never asks should not pay for on every idle connection.
    get remoteAddress() {
      return socket.remoteAddress;
    },
  };
  return { request, key };
}
