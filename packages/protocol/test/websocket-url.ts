import t from 'tap';
import { parseWebSocketUrl, UrlError } from '../src/index.js';

t.test('parseWebSocketUrl', async (t) => {
  t.equal(parseWebSocketUrl('http://a/b').href, 'ws://a/b');
  t.equal(parseWebSocketUrl('https://a/b?c').href, 'wss://a/b?c');
  t.equal(parseWebSocketUrl('ws://a/').href, 'ws://a/');
  t.equal(parseWebSocketUrl(new URL('ws://[::1]:8080/')).host, '[::1]:8080');
});

t.test('a URL no WebSocket can open is a UrlError (a TypeError) with a code and the input', async (t) => {
  const cases: [string, UrlError['code'], RegExp][] = [
    ['ftp://a/', 'NOT_WEBSOCKET_URL', /^not a WebSocket URL: "ftp:\/\/a\/" \(expected ws:\/\/HOST\[:PORT\]\/PATH or wss:/],
    ['localhost:9555', 'NOT_WEBSOCKET_URL', /not a WebSocket URL: "localhost:9555"/],
    ['127.0.0.1:9555', 'INVALID_URL', /not a URL: "127\.0\.0\.1:9555"/],
    ['not a url', 'INVALID_URL', /^not a URL: "not a url" \(expected ws:\/\//],
    ['ws://a/#frag', 'URL_FRAGMENT', /no fragment: ws:\/\/a\/#frag/],
    ['ws://a/#', 'URL_FRAGMENT', /no fragment: ws:\/\/a\/#$/],
    ['ws://a/?q#', 'URL_FRAGMENT', /no fragment: ws:\/\/a\/\?q#$/],
  ];
  for (const [input, code, message] of cases) {
    const error = t.throws(() => parseWebSocketUrl(input)) as UrlError;
    t.ok(error instanceof UrlError && error instanceof TypeError, input);
    t.match(error, { name: 'UrlError', code, url: input, message }, input);
  }
});
