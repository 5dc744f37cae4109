import t from 'tap';
import { acceptKey } from '@wstack/protocol';
import { closed, nextMessage } from '@wstack/testkit';
import { connect, WebSocketServer } from '../src/index.js';
import { devCert } from './http1-transport.js';
import { fakeServer, keyOf } from './raw-http.js';

/** A server that answers the handshake with `head` (built from the client's key) and then `after`. */
async function answering(head: (key: string) => string, after?: Buffer) {
  const { port, server } = await fakeServer((request, socket) => {
    socket.write(head(keyOf(request)));
    if (after) socket.write(after);
  });
  t.teardown(() => server.close());
  return `ws://127.0.0.1:${port}/`;
}

const good = (key: string, extra = '') =>
  `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n${extra}\r\n`;

t.test('URLs other than ws, wss, http and https are refused', async (t) => {
  await t.rejects(connect('ftp://a/'), { name: 'UrlError', code: 'NOT_WEBSOCKET_URL' });
  await t.rejects(connect('ws://a/#frag'), { name: 'UrlError', code: 'URL_FRAGMENT' });
});

t.test('a correct answer opens the connection; frames behind the 101 are the first messages', async (t) => {
  const frame = Buffer.from([0x81, 0x05, ...Buffer.from('hello')]);
  const client = await connect(await answering((key) => good(key), frame));
  t.equal(client.readyState, 1);
  t.equal((await nextMessage(client)).data.toString(), 'hello', 'not lost although it came with the 101');
  client.terminate();
});

t.test('every check of the answer fails with a typed error that says which', async (t) => {
  const cases: [string, (key: string) => string, object][] = [
    ['status 200', () => 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', { name: 'HandshakeError', code: 'UNEXPECTED_STATUS', status: 200, message: /200: hello/ }],
    ['status 403', () => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', { code: 'UNEXPECTED_STATUS', status: 403 }],
    ['no Upgrade', (key) => `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n\r\n`, { code: 'INVALID_UPGRADE' }],
    ['Upgrade: h2c', (key) => good(key).replace('Upgrade: websocket', 'Upgrade: h2c'), { code: 'INVALID_UPGRADE' }],
    ['no Connection: Upgrade', (key) => good(key).replace('Connection: Upgrade', 'Connection: keep-alive'), { code: 'INVALID_UPGRADE' }],
    ['wrong accept', () => good('AAAAAAAAAAAAAAAAAAAAAA=='), { code: 'INVALID_ACCEPT' }],
    ['no accept', (key) => good(key).replace(/Sec-WebSocket-Accept: [^\r]*\r\n/, ''), { code: 'INVALID_ACCEPT' }],
    ['subprotocol not offered', (key) => good(key, 'Sec-WebSocket-Protocol: other\r\n'), { code: 'INVALID_SUBPROTOCOL' }],
    ['extension not offered', (key) => good(key, 'Sec-WebSocket-Extensions: permessage-deflate\r\n'), { code: 'INVALID_EXTENSION' }],
  ];
  for (const [name, head, error] of cases) {
    await t.rejects(connect(await answering(head), { protocols: ['chat'] }), error, name);
  }
});

t.test('a server that never answers: TIMEOUT', async (t) => {
  const url = await answering(() => '');
  await t.rejects(connect(url, { handshakeTimeout: 50 }), { name: 'HandshakeError', code: 'TIMEOUT' });
});

t.test('an abort signal cancels the attempt', async (t) => {
  const url = await answering(() => '');
  const controller = new AbortController();
  const attempt = connect(url, { signal: controller.signal });
  controller.abort();
  await t.rejects(attempt, { name: 'AbortError' });
});

t.test('nothing listening: the connection error as it is', async (t) => {
  const { port, server } = await fakeServer(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  await t.rejects(connect(`ws://127.0.0.1:${port}/`), { code: 'ECONNREFUSED' });
});

t.test('wss: a CA option to trust, verification by default, and rejectUnauthorized to skip it', async (t) => {
  const server = new WebSocketServer({ handler: (connection) => connection.send(connection.transport) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  await t.rejects(connect(`wss://127.0.0.1:${port}/`), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  await t.rejects(connect(`wss://127.0.0.1:${port}/`, { tls: { ca: devCert.cert, servername: 'wrong.example' } }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  for (const tls of [{ ca: devCert.cert }, { rejectUnauthorized: false }, { ca: devCert.cert, servername: 'localhost' }]) {
    const client = await connect(`wss://127.0.0.1:${port}/`, { tls });
    t.equal((await nextMessage(client)).data.toString(), 'http/1.1', JSON.stringify(Object.keys(tls)));
    client.close();
    await closed(client);
  }
});

t.test('the request carries the origin, extra headers and offered subprotocols', async (t) => {
  let request = '';
  const { port, server } = await fakeServer((text, socket) => {
    request = text;
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
  });
  t.teardown(() => server.close());
  await t.rejects(
    connect(`ws://127.0.0.1:${port}/path?q=1`, { origin: 'https://app.example', headers: { 'X-Trace': 'abc' }, protocols: ['a', 'b'] }),
    { code: 'UNEXPECTED_STATUS', status: 400 },
  );
  t.match(request, /^GET \/path\?q=1 HTTP\/1\.1\r\n/);
  for (const line of ['Origin: https://app.example', 'X-Trace: abc', 'Sec-WebSocket-Protocol: a, b', 'Sec-WebSocket-Version: 13', 'Upgrade: websocket', 'Connection: Upgrade']) {
    t.ok(request.includes(`${line}\r\n`), line);
  }
  t.match(request, /Sec-WebSocket-Key: [A-Za-z0-9+/]{22}==\r\n/);
});
