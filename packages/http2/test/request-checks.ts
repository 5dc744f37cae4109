import t from 'tap';
import { checkConnectRequest, judgePreface, CONNECTION_PREFACE } from '../src/index.js';

const valid = {
  ':method': 'CONNECT',
  ':protocol': 'websocket',
  ':scheme': 'https',
  ':path': '/chat?room=1',
  ':authority': 'server.example.com',
  'sec-websocket-version': '13',
  'sec-websocket-protocol': 'chat, superchat',
  origin: 'http://www.example.com',
};

t.test('the example of RFC 8441 §5.1 is a WebSocket request', async (t) => {
  const checked = checkConnectRequest(valid, '127.0.0.1');
  if (!('request' in checked)) return t.fail(JSON.stringify(checked));
  t.match(checked.request, {
    transport: 'h2',
    path: '/chat?room=1',
    pathname: '/chat',
    authority: 'server.example.com',
    origin: 'http://www.example.com',
    protocols: ['chat', 'superchat'],
    extensions: [],
    remoteAddress: '127.0.0.1',
  });
  t.notOk(Object.keys(checked.request.headers).some((name) => name.startsWith(':')), 'pseudo-header fields are not header fields (RFC 9113 §8.3)');
  t.equal(checked.request.headers['sec-websocket-version'], '13');
});

t.test('each flaw gets its own status', async (t) => {
  const cases: [string, Record<string, string | undefined>, number, Record<string, string>?][] = [
    ['GET', { ':method': 'GET', ':protocol': undefined }, 405, { allow: 'CONNECT' }],
    ['CONNECT without :protocol (a tunnel)', { ':protocol': undefined }, 501],
    ['another :protocol', { ':protocol': 'webtransport' }, 501],
    ['no :scheme', { ':scheme': undefined }, 400],
    ['an odd :scheme', { ':scheme': 'ftp' }, 400],
    ['no :path', { ':path': undefined }, 400],
    ['a :path that is not absolute', { ':path': '*' }, 400],
    ['no :authority', { ':authority': undefined }, 400],
    ['an empty :authority', { ':authority': '' }, 400],
    ['version 8 (HTTP/1.1 only)', { 'sec-websocket-version': '8' }, 426, { 'sec-websocket-version': '13' }],
    ['version 12', { 'sec-websocket-version': '12' }, 426, { 'sec-websocket-version': '13' }],
    ['no version', { 'sec-websocket-version': undefined }, 426, { 'sec-websocket-version': '13' }],
    ['a subprotocol twice', { 'sec-websocket-protocol': 'a, a' }, 400],
    ['a subprotocol that is no token', { 'sec-websocket-protocol': 'a b' }, 400],
    ['extensions that break the grammar', { 'sec-websocket-extensions': 'a;;' }, 400],
    ['800 extension offers', { 'sec-websocket-extensions': Array(800).fill('permessage-deflate').join(', ') }, 400],
  ];
  for (const [name, change, status, headers] of cases) {
    const request = { ...valid, ...change };
    for (const [field, value] of Object.entries(change)) if (value === undefined) delete (request as Record<string, unknown>)[field];
    const checked = checkConnectRequest(request, undefined);
    if (!('reject' in checked)) {
      t.fail(`${name}: accepted`);
      continue;
    }
    t.equal(checked.reject.status, status, name);
    t.ok((checked.reject.body ?? '').length > 0, `${name}: a body says why`);
    for (const [field, value] of Object.entries(headers ?? {})) t.equal(checked.reject.headers?.[field], value, `${name}: ${field}`);
  }
});

t.test('spellings that are allowed', async (t) => {
  for (const change of [{ ':protocol': 'WebSocket' }, { ':scheme': 'http' }, { 'sec-websocket-version': ' 13 ' }]) {
    const checked = checkConnectRequest({ ...valid, ...change }, undefined);
    t.ok('request' in checked, JSON.stringify(change));
  }
  const offered = checkConnectRequest({ ...valid, 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits' }, undefined);
  t.match(offered, { request: { extensions: [{ name: 'permessage-deflate' }] } });
});

t.test('header count and size limits give 431', async (t) => {
  t.match(checkConnectRequest({ ...valid, cookie: 'c'.repeat(600) }, undefined, { maxHeaderBytes: 600 }), { reject: { status: 431 } });
  const many = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x-extra-${i}`, 'v']));
  t.match(checkConnectRequest({ ...valid, ...many }, undefined, { maxHeaderCount: 12 }), { reject: { status: 431 } });
  t.match(checkConnectRequest({ ...valid, ...many }, undefined, { maxHeaderCount: 20 }), { request: {} });
  const raw = Object.entries(valid).flat();
  t.match(checkConnectRequest(valid, undefined, { maxHeaderCount: 7 }, raw), { reject: { status: 431 } }, 'the raw header list is counted when given');
});

t.test('the connection preface tells h2c from HTTP/1.1 (RFC 9113 §3.4)', async (t) => {
  t.equal(judgePreface(CONNECTION_PREFACE), 'h2');
  t.equal(judgePreface(Buffer.concat([CONNECTION_PREFACE, Buffer.from([0, 0, 0, 4])])), 'h2', 'with frames behind it');
  t.equal(judgePreface(CONNECTION_PREFACE.subarray(0, 10)), undefined, 'a part of it: not yet known');
  t.equal(judgePreface(Buffer.alloc(0)), undefined);
  for (const line of ['GET / HTTP/1.1\r\n', 'POST / HTTP/1.1', 'PUT', 'PRI * HTTP/1.1\r\n', 'P', 'x']) {
    t.equal(judgePreface(Buffer.from(line)), line === 'P' ? undefined : 'http/1.1', JSON.stringify(line));
  }
});
