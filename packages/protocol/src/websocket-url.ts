/** WebSocket URLs (RFC 6455 §3), as every client transport takes them. */

/** Parses a WebSocket URL; http(s) is taken as ws(s), as the WHATWG standard does. */
export function parseWebSocketUrl(input: string | URL): URL {
  const url = new URL(input);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError(`not a WebSocket URL: ${url.href}`);
  if (url.hash !== '') throw new TypeError(`a WebSocket URL has no fragment: ${url.href}`);
  return url;
}
