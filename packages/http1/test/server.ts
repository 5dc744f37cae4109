import t from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { once } from 'node:events';
import type { Rejection, UpgradeRequest, WebSocketConnection } from '@wstack/core';
import { closed, nextMessage } from '@wstack/testkit';
import { connect, WebSocketServer, type Http1ServerOptions } from '../src/index.js';
import { devCert } from './http1-transport.js';
import { ACCEPT, rawRequest, upgradeRequest } from './raw-http.js';

async function serve(options: Http1ServerOptions = {}) {
  const server = new WebSocketServer({ handler: (connection) => connection.on('message', (data, binary) => connection.send(data, { binary })), ...options });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  return { server, port };
}

t.test('a valid handshake gets 101 with the accept of RFC 6455 §1.3', async (t) => {
  const { port } = await serve();
  const answer = await rawRequest(port, upgradeRequest());
  t.equal(answer.status, 101);
  t.equal(answer.headers['upgrade'], 'websocket');
  t.equal(answer.headers['connection'], 'Upgrade');
  t.equal(answer.headers['sec-websocket-accept'], ACCEPT);
  t.notOk('sec-websocket-protocol' in answer.headers);
  t.notOk('sec-websocket-extensions' in answer.headers, 'no extension is accepted yet');
  answer.socket.destroy();
});

t.test('header spellings that RFC 9110 allows are accepted', async (t) => {
  const { port } = await serve();
  const variants: Record<string, string>[] = [
    { Upgrade: 'WebSocket', Connection: 'keep-alive, Upgrade' },
    { Upgrade: 'h2c, websocket', Connection: 'UPGRADE' },
    { 'Sec-WebSocket-Version': '8' },
    { 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits, x-unknown' },
  ];
  for (const headers of variants) {
    const answer = await rawRequest(port, upgradeRequest('/', headers));
    t.equal(answer.status, 101, JSON.stringify(headers));
    t.notOk('sec-websocket-extensions' in answer.headers, 'no extension accepted without perMessageDeflate');
    answer.socket.destroy();
  }
});

t.test('requests that are not WebSocket handshakes get the right refusal', async (t) => {
  const { port, server } = await serve();
  const rejections: Rejection[] = [];
  server.on('rejection', (rejection) => rejections.push(rejection));
  const cases: [string, string, number, Record<string, string>?][] = [
    ['POST', upgradeRequest('/', {}, 'POST / HTTP/1.1'), 405, { allow: 'GET' }],
    ['HTTP/1.0', upgradeRequest('/', {}, 'GET / HTTP/1.0'), 400],
    ['Upgrade: h2c', upgradeRequest('/', { Upgrade: 'h2c' }), 400],
    ['short key', upgradeRequest('/', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }), 400],
    ['no key', upgradeRequest('/', { 'Sec-WebSocket-Key': '' }), 400],
    ['version 12', upgradeRequest('/', { 'Sec-WebSocket-Version': '12' }), 426, { 'sec-websocket-version': '13, 8' }],
    ['no version', upgradeRequest('/', { 'Sec-WebSocket-Version': '' }), 426, { 'sec-websocket-version': '13, 8' }],
    ['subprotocol twice', upgradeRequest('/', { 'Sec-WebSocket-Protocol': 'a, a' }), 400],
    ['extensions that break the grammar', upgradeRequest('/', { 'Sec-WebSocket-Extensions': 'a;;' }), 400],
    ['an unterminated quoted string', upgradeRequest('/', { 'Sec-WebSocket-Extensions': 'permessage-deflate; x="y' }), 400],
    ['800 extension offers', upgradeRequest('/', { 'Sec-WebSocket-Extensions': Array(800).fill('permessage-deflate').join(', ') }), 400],
  ];
  for (const [name, request, status, headers] of cases) {
    const answer = await rawRequest(port, request);
    t.equal(answer.status, status, name);
    t.equal(answer.headers['connection'], 'close');
    t.ok(answer.body.length > 0, `a body says why: ${answer.body}`);
    for (const [header, value] of Object.entries(headers ?? {})) t.equal(answer.headers[header], value, `${name}: ${header}`);
  }
  t.equal(rejections.length, cases.length, 'each refusal is an event');
  // Without Connection: Upgrade, node:http sees an ordinary request (no 'upgrade' event):
  // a server of our own answers it with 426, an application's server answers as it likes.
  const plain = await rawRequest(port, upgradeRequest('/', { Connection: 'keep-alive' }));
  t.equal(plain.status, 426);
});

t.test('header count and size limits give 431', async (t) => {
  const { port } = await serve({ maxHeaderCount: 10, maxHeaderBytes: 600 });
  const many = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`X-Extra-${i}`, 'v']));
  t.equal((await rawRequest(port, upgradeRequest('/', many))).status, 431, 'too many fields');
  t.equal((await rawRequest(port, upgradeRequest('/', { Cookie: 'c'.repeat(600) }))).status, 431, 'too many bytes');
  const answer = await rawRequest(port, upgradeRequest('/', { 'X-Small': 'v' }));
  t.equal(answer.status, 101, 'within the limits');
  answer.socket.destroy();
});

t.test('plain requests to a listening server get 426', async (t) => {
  const { port } = await serve();
  const answer = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(answer.status, 426);
  t.equal(answer.headers['upgrade'], 'websocket');
  t.notOk('alt-svc' in answer.headers, 'no Alt-Svc unless asked');
});

t.test('listen({ request }) serves the ordinary requests', async (t) => {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ request: (_request, response) => response.end('plain') });
  t.teardown(() => server.close());
  const answer = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(answer.status, 200);
  t.match(answer.body, /plain/);
});

t.test('the altSvc option advertises it on the 101 and the answers of a request listener, not on the default 426', async (t) => {
  const { port, server } = await serve({ altSvc: 'h3=":4433"; ma=60' });
  const answer = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(answer.status, 426);
  t.notOk('alt-svc' in answer.headers, 'nobody is invited to the alternative for a page this server does not serve');
  const withPages = new WebSocketServer({ handler: () => undefined, altSvc: 'h3=":4433"; ma=60' });
  const { port: pagesPort } = await withPages.listen({ request: (_request, response) => response.end('page') });
  t.teardown(() => withPages.close());
  const page = await rawRequest(pagesPort, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.same([page.status, page.headers['alt-svc']], [200, 'h3=":4433"; ma=60']);
  const upgrade = await rawRequest(port, upgradeRequest('/'));
  t.equal(upgrade.status, 101);
  t.equal(upgrade.headers['alt-svc'], 'h3=":4433"; ma=60');
  const client = await connect(`ws://127.0.0.1:${port}/`, { headers: { 'x-hello': 'there' } });
  t.equal(client.headers['alt-svc'], 'h3=":4433"; ma=60', "the client's connection has the answer's fields");
  t.equal(client.headers['sec-websocket-accept'] !== undefined, true);
  const atServer = [...server.connections].at(-1);
  t.equal(atServer!.headers['x-hello'], 'there', "the server's has the request's");
  client.close();
  await closed(client);
});

t.test('routes, origins, subprotocols and authentication', async (t) => {
  const seen: UpgradeRequest[] = [];
  const addresses: (string | undefined)[] = [];
  const { port, server } = await serve({
    handler: undefined,
    routes: { '/chat': (connection, request) => (seen.push(request), addresses.push(request.remoteAddress), connection.send(`chat ${connection.protocol}`)) },
    origins: ['https://app.example'],
    protocols: ['v2', 'v1'],
    async authenticate(request) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (request.headers['authorization'] === 'Bearer good') return true;
      if (request.headers['authorization'] === 'Bearer throw') throw new Error('auth backend down');
      if (request.headers['authorization'] === 'Bearer hang') return new Promise(() => undefined);
      return { status: 401, body: 'log in first', headers: { 'WWW-Authenticate': 'Bearer' } };
    },
    handshakeTimeout: 100,
  });
  const errors: unknown[] = [];
  server.on('rejection', (_rejection, _request, error) => error && errors.push(error));
  const good = { Origin: 'https://app.example', Authorization: 'Bearer good' };
  t.equal((await rawRequest(port, upgradeRequest('/nope', good))).status, 404, 'no route');
  t.equal((await rawRequest(port, upgradeRequest('/chat', { ...good, Origin: 'https://evil.example' }))).status, 403, 'foreign origin');
  const unauthenticated = await rawRequest(port, upgradeRequest('/chat', { Origin: 'https://app.example' }));
  t.equal(unauthenticated.status, 401);
  t.equal(unauthenticated.body, 'log in first');
  t.equal(unauthenticated.headers['www-authenticate'], 'Bearer');
  t.equal((await rawRequest(port, upgradeRequest('/chat', { ...good, Authorization: 'Bearer throw' }))).status, 500);
  t.match(errors, [{ message: 'auth backend down' }], 'the hook\'s exception is passed to the rejection event');
  t.equal((await rawRequest(port, upgradeRequest('/chat', { ...good, Authorization: 'Bearer hang' }))).status, 408, 'a hook that never answers: 408, not a hang');
  const client = await connect(`ws://127.0.0.1:${port}/chat?x=1`, { origin: 'https://app.example', headers: { Authorization: 'Bearer good' }, protocols: ['v1', 'v2'] });
  t.equal(client.protocol, 'v1');
  t.equal((await nextMessage(client)).data.toString(), 'chat v1');
  t.equal(seen[0]?.path, '/chat?x=1');
  t.equal(seen[0]?.origin, 'https://app.example');
  t.same(seen[0]?.protocols, ['v1', 'v2']);
  t.same(addresses, ['127.0.0.1'], 'the peer\'s address, asked of the socket in the handler');
  client.close();
  await closed(client);
});

t.test('bytes that arrive with the handshake are the first frames', async (t) => {
  const { port } = await serve();
  // A masked text frame "hi" (key 1 2 3 4) right behind the request, in one write.
  const frame = Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2]);
  const answer = await rawRequest(port, Buffer.concat([Buffer.from(upgradeRequest()), frame]));
  t.equal(answer.status, 101);
  const next = once(answer.socket, 'data');
  answer.socket.resume();
  const echo = answer.rest.length >= 4 ? answer.rest : ((await next)[0] as Buffer);
  t.same([...echo.subarray(0, 4)], [0x81, 0x02, 0x68, 0x69], 'echoed unmasked');
  answer.socket.destroy();
});

t.test('attached to servers the application made: node:http and node:https', async (t) => {
  for (const secure of [false, true]) {
    const app = secure
      ? createHttpsServer({ cert: devCert.cert, key: devCert.key }, (_req, res) => res.end('page'))
      : createHttpServer((_req, res) => res.end('page'));
    const sockets = new WebSocketServer({ handler: (connection) => connection.send('attached') }).attach(app);
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as { port: number }).port;
    const client = await connect(`${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/any`, { tls: { ca: devCert.cert } });
    t.equal((await nextMessage(client)).data.toString(), 'attached', secure ? 'https' : 'http');
    t.equal(sockets.address(), undefined, 'no server of its own');
    await sockets.close();
    t.equal((await closed(client)).code, 1001, 'close() sends 1001 to every connection');
    app.close();
  }
});

t.test('close(): 1001 for open WebSockets, 503 for handshakes meanwhile, then the listener stops', async (t) => {
  let slowAuth!: () => void;
  const server = new WebSocketServer({
    handler: () => undefined,
    authenticate: (request) => (request.path === '/slow' ? new Promise<boolean>((resolve) => (slowAuth = () => resolve(true))) : true),
  });
  const { port } = await server.listen();
  const open: WebSocketConnection[] = await Promise.all([connect(`ws://127.0.0.1:${port}/`), connect(`ws://127.0.0.1:${port}/`)]);
  t.equal(server.connections.size, 2);
  const slow = rawRequest(port, upgradeRequest('/slow'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const closing = server.close();
  slowAuth();
  t.equal((await slow).status, 503, 'a handshake that finishes during shutdown is refused');
  const codes = await Promise.all(open.map((connection) => closed(connection).then((details) => details.code)));
  t.same(codes, [1001, 1001]);
  await closing;
  t.equal(server.connections.size, 0);
  await t.rejects(connect(`ws://127.0.0.1:${port}/`), { code: 'ECONNREFUSED' });
  const refused = new WebSocketServer({ handler: () => undefined });
  await refused.close();
  t.pass('closing a server that never listened');
});

t.test('listen() reports an address in use', async (t) => {
  const { port } = await serve();
  await t.rejects(new WebSocketServer().listen({ port }), { code: 'EADDRINUSE' });
});
