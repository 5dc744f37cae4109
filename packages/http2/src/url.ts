/** What an HTTP/2 session to a WebSocket URL (RFC 6455 §3) is keyed by. */

/**
 * The HTTP origin an HTTP/2 session to a WebSocket URL connects to: wss://
 * is https:// (TLS, ALPN h2), ws:// is http:// (h2c with prior knowledge).
 * RFC 8441 §5 names the same scheme in :scheme.
 */
export function httpOrigin(url: URL): string {
  return `${url.protocol === 'wss:' ? 'https' : 'http'}://${url.host}`;
}
