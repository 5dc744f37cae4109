import t from 'tap';
import { checkConnectRequest } from '../src/request-checks.js';
import type { RequestHead } from '../src/h3/message-validation.js';

const good: RequestHead = {
  method: 'CONNECT',
  protocol: 'websocket',
  scheme: 'https',
  authority: 'example.com:443',
  path: '/chat?room=1',
  fields: [
    ['sec-websocket-version', '13'],
    ['sec-websocket-protocol', 'chat, superchat'],
    ['sec-websocket-extensions', 'permessage-deflate'],
    ['origin', 'https://example.com'],
    ['cookie', 'a=1'],
    ['cookie', 'b=2'],
  ],
};

function status(head: Partial<RequestHead>): number | undefined {
  const checked = checkConnectRequest({ ...good, ...head }, '127.0.0.1');
  return 'reject' in checked ? checked.reject.status : undefined;
}

t.test('a WebSocket extended CONNECT (RFC 9220 §3)', async (t) => {
  const checked = checkConnectRequest(good, '::1');
  if (!('request' in checked)) return t.fail('refused');
  const { request } = checked;
  t.equal(request.transport, 'h3');
  t.equal(request.path, '/chat?room=1');
  t.equal(request.pathname, '/chat');
  t.equal(request.authority, 'example.com:443');
  t.equal(request.origin, 'https://example.com');
  t.same(request.protocols, ['chat', 'superchat']);
  t.equal(request.extensions.length, 1);
  t.equal(request.headers.cookie, 'a=1; b=2', 'cookies joined with "; " (RFC 9114 §4.2.1)');
  t.equal(request.remoteAddress, '::1');
});

t.test('refusals', async (t) => {
  t.equal(status({ method: 'GET', protocol: undefined }), 405, 'not CONNECT');
  t.equal(status({ protocol: undefined }), 501, 'a plain CONNECT tunnel');
  t.equal(status({ protocol: 'webtransport' }), 501, 'another protocol');
  t.equal(status({ scheme: 'ftp' }), 400);
  t.equal(status({ path: 'chat' }), 400);
  t.equal(status({ authority: undefined }), 400);
  t.equal(status({ fields: [['sec-websocket-version', '8']] }), 426, 'only version 13');
  t.equal(status({ fields: [['sec-websocket-version', '13'], ['sec-websocket-protocol', 'a b']] }), 400, 'a bad subprotocol list');
  t.equal(status({ fields: [['sec-websocket-version', '13'], ['sec-websocket-extensions', 'permessage-deflate; x="y']] }), 400, 'extension offers that break the grammar');
  t.equal(status({ fields: [['sec-websocket-version', '13'], ['sec-websocket-extensions', Array(800).fill('permessage-deflate').join(', ')]] }), 400, '800 extension offers');
  t.equal(status({ fields: Array.from({ length: 200 }, (_, i) => [`x-${i}`, 'v'] as [string, string]) }), 431, 'too many fields');
  t.equal(status({ fields: [['sec-websocket-version', '13'], ['x-big', 'x'.repeat(20000)]] }), 431, 'too many bytes');
});
