import t from 'tap';
import { parseWebSocketUrl } from '../src/index.js';

t.test('WebSocket URLs: http(s) read as ws(s), other schemes and fragments refused', async (t) => {
  t.equal(parseWebSocketUrl('http://a/b').href, 'ws://a/b');
  t.equal(parseWebSocketUrl('https://a/b?c').href, 'wss://a/b?c');
  t.equal(parseWebSocketUrl('ws://a/').href, 'ws://a/');
  t.equal(parseWebSocketUrl(new URL('ws://[::1]:8080/')).host, '[::1]:8080');
  t.throws(() => parseWebSocketUrl('ftp://a/'), TypeError);
  t.throws(() => parseWebSocketUrl('ws://a/#frag'), TypeError);
  t.throws(() => parseWebSocketUrl('not a url'), TypeError);
});
