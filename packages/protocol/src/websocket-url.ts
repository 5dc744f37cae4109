/** WebSocket URLs (RFC 6455 §3), as every client transport takes them. */

/** The form a WebSocket URL takes, for the messages of UrlError. */
const EXPECTED = 'expected ws://HOST[:PORT]/PATH or wss://HOST[:PORT]/PATH';

/** A URL a WebSocket cannot be opened to; `url` is the input as given. A TypeError, as `new URL` throws. */
export class UrlError extends TypeError {
  override readonly name = 'UrlError';
  constructor(
    readonly code: 'INVALID_URL' | 'NOT_WEBSOCKET_URL' | 'URL_FRAGMENT',
    readonly url: string,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a WebSocket URL; http(s) is taken as ws(s), as the WHATWG standard does. */
export function parseWebSocketUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UrlError('INVALID_URL', String(input), `not a URL: ${JSON.stringify(String(input))} (${EXPECTED})`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  // RFC 6455 §3: only the ws and wss schemes. ("localhost:80" parses, with the scheme "localhost:".)
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UrlError('NOT_WEBSOCKET_URL', String(input), `not a WebSocket URL: ${JSON.stringify(String(input))} (${EXPECTED})`);
  // RFC 6455 §3: no fragment, not even an empty one ('ws://h/#', whose `hash` is ''): the serialized URL has a '#'
  // only where its fragment starts, since the parser percent-encodes any other (WHATWG WebSockets Standard §3.1 step 7).
  if (url.href.includes('#')) throw new UrlError('URL_FRAGMENT', String(input), `a WebSocket URL has no fragment: ${url.href}`);
  return url;
}
