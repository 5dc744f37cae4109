/** WebSocket URLs (RFC 6455 §3) and what an HTTP/2 session to them is keyed by. */

/** Parses a WebSocket URL; http(s) is taken as ws(s), as the WHATWG standard does. */
export function parseWebSocketUrl(input: string | URL): URL {
  const url = new URL(input);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new TypeError(`not a WebSocket URL: ${url.href}`);
  if (url.hash !== '') throw new TypeError(`a WebSocket URL has no fragment: ${url.href}`);
  return url;
}

/**
 * The HTTP origin an HTTP/2 session to a WebSocket URL connects to: wss://
 * is https:// (TLS, ALPN h2), ws:// is http:// (h2c with prior knowledge).
 * RFC 8441 §5 names the same scheme in :scheme.
 */
export function httpOrigin(url: URL): string {
  return `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}`;
}
