import t from 'tap';
import { once } from 'node:events';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { connect as connectHttp2, constants, createSecureServer, createServer as createH2cServer, type ServerHttp2Stream } from 'node:http2';
import type { Rejection, UpgradeRequest, WebSocketConnection } from '@wstack/core';
import { closed, echo, nextMessage } from '@wstack/testkit';
import { connect, http2ServerOptions, SessionPool, WebSocketServer, type Http2ServerOptions } from '../src/index.js';
import { frameSpy, FrameType, seen } from './frame-spy.js';
import { devCert } from './h2-transport.js';
import { clientFrame, closeCodeOf, connectHeaders, FrameCollector, rawRequest, rawSession, sleep } from './helpers.js';

async function serve(options: Http2ServerOptions = {}, secure = false) {
  const server = new WebSocketServer({ handler: echo, ...options });
  const { port } = await server.listen(secure ? { tls: { cert: devCert.cert, key: devCert.key } } : {});
  t.teardown(() => server.close());
  return { server, port, origin: `${secure ? 'https' : 'http'}://127.0.0.1:${port}` };
}

function newPool() {
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  return pool;
}

t.test('the server advertises extended CONNECT and its windows in its SETTINGS', async (t) => {
  const { origin } = await serve();
  const session = await rawSession(t, origin);
  t.match(session.remoteSettings, { enableConnectProtocol: true, initialWindowSize: 256 * 1024, maxConcurrentStreams: 1000 });
  // The connection window is widened by a WINDOW_UPDATE on stream 0, right after the SETTINGS.
  while (session.state.remoteWindowSize !== 2 * 1024 * 1024) await sleep(5);
  t.equal(session.state.remoteWindowSize, 2 * 1024 * 1024, 'connection window 2 MiB');
});

t.test('a valid extended CONNECT gets 200 with the subprotocol, and no key or accept', async (t) => {
  const { origin } = await serve({ protocols: ['chat'] });
  const session = await rawSession(t, origin);
  const answer = await rawRequest(session, connectHeaders('/', { 'sec-websocket-protocol': 'superchat, chat' }));
  t.equal(answer.status, 200);
  t.equal(answer.headers['sec-websocket-protocol'], 'chat');
  t.notOk('sec-websocket-accept' in answer.headers, 'RFC 8441 §5: no Sec-WebSocket-Accept');
  t.notOk('sec-websocket-extensions' in answer.headers, 'no extension without perMessageDeflate');
  // A masked text frame, echoed unmasked.
  const frames = new FrameCollector(answer.stream);
  answer.stream.write(clientFrame(0x1, 'hi'));
  t.same(await frames.next(), { opcode: 0x1, payload: Buffer.from('hi') });
  answer.stream.close(constants.NGHTTP2_CANCEL);
});

t.test('refusals get their status, on streams of one session, and leave its WebSocket alone', async (t) => {
  const { origin, server } = await serve({ maxHeaderCount: 30 });
  const rejections: Rejection[] = [];
  server.on('rejection', (rejection) => rejections.push(rejection));
  const session = await rawSession(t, origin);
  const open = await rawRequest(session, connectHeaders('/live'));
  t.equal(open.status, 200, 'a WebSocket is open on the session');
  const frames = new FrameCollector(open.stream);
  const cases: [string, Record<string, string | number>, number, Record<string, string>?][] = [
    ['GET', { ':method': 'GET', ':path': '/' }, 405, { allow: 'CONNECT' }],
    ['POST', { ':method': 'POST', ':path': '/' }, 405, { allow: 'CONNECT' }],
    ['CONNECT tunnel', { ':method': 'CONNECT', ':authority': '127.0.0.1:9' }, 501],
    ['other :protocol', connectHeaders('/', { ':protocol': 'webtransport' }) as Record<string, string>, 501],
    ['version 8', connectHeaders('/', { 'sec-websocket-version': '8' }) as Record<string, string>, 426, { 'sec-websocket-version': '13' }],
    ['no version', connectHeaders('/', { 'sec-websocket-version': '' }) as Record<string, string>, 426, { 'sec-websocket-version': '13' }],
    ['subprotocol twice', connectHeaders('/', { 'sec-websocket-protocol': 'a, a' }) as Record<string, string>, 400],
    ['too many fields', connectHeaders('/', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x-${i}`, 'v']))) as Record<string, string>, 431],
  ];
  for (const [name, headers, status, expected] of cases) {
    const answer = await rawRequest(session, headers);
    t.equal(answer.status, status, name);
    t.ok(answer.body.length > 0, `${name}: a body says why: ${answer.body.trim()}`);
    for (const [field, value] of Object.entries(expected ?? {})) t.equal(answer.headers[field], value, `${name}: ${field}`);
  }
  t.equal(rejections.length, cases.length - 2, 'each WebSocket refusal is an event (plain requests are answered by the request listener)');
  open.stream.write(clientFrame(0x1, 'still here'));
  t.same(await frames.next(), { opcode: 0x1, payload: Buffer.from('still here') }, 'the WebSocket of the session still echoes');
  t.equal(session.destroyed, false, 'the session is untouched');
  open.stream.close(constants.NGHTTP2_CANCEL);
});

t.test('with the default limits, 200 header fields get 431, not a reset from node:http2 (its own limit is 128)', async (t) => {
  const { origin } = await serve();
  const session = await rawSession(t, origin);
  const answer = await rawRequest(session, connectHeaders('/', Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-${i}`, 'v']))) as Record<string, string>);
  t.equal(answer.status, 431);
  const extensions = await rawRequest(session, connectHeaders('/', { 'sec-websocket-extensions': 'permessage-deflate; x="y' }) as Record<string, string>);
  t.equal(extensions.status, 400, 'extension offers that break the grammar');
});

t.test('the altSvc option advertises it on the 200 and the answers of a request listener (not the default ones), over both HTTP versions', async (t) => {
  for (const request of [undefined, (_request: unknown, response: { end(body: string): void }) => response.end('mine')]) {
    const server = new WebSocketServer({ handler: echo, altSvc: 'h3=":4433"' });
    const { port } = await server.listen(request ? { request } : {});
    const session = await rawSession(t, `http://127.0.0.1:${port}`);
    const accepted = await rawRequest(session, connectHeaders('/'));
    t.same([accepted.status, accepted.headers['alt-svc']], [200, 'h3=":4433"'], 'the WebSocket answer');
    accepted.stream.close(constants.NGHTTP2_CANCEL);
    const overH2 = await rawRequest(session, { ':method': 'GET', ':path': '/' });
    t.equal(overH2.headers['alt-svc'], request ? 'h3=":4433"' : undefined, `HTTP/2, ${request ? 'own' : 'default'} listener`);
    const overH1 = await new Promise<IncomingMessage>((resolve, reject) => httpGet(`http://127.0.0.1:${port}/`, resolve).on('error', reject));
    overH1.resume();
    t.equal(overH1.headers['alt-svc'], request ? 'h3=":4433"' : undefined, `HTTP/1.1, ${request ? 'own' : 'default'} listener`);
    const pool = newPool();
    const client = await connect(`ws://127.0.0.1:${port}/`, { pool, headers: { 'x-hello': 'there' } });
    t.same([client.headers[':status'], client.headers['alt-svc']], [200, 'h3=":4433"'], "the client's connection has the answer's fields");
    t.equal([...server.connections].at(-1)!.headers['x-hello'], 'there', "the server's has the request's");
    session.close();
    await server.close();
  }
});

t.test('routes, origins, subprotocols and authentication, as over HTTP/1.1', async (t) => {
  const seen: UpgradeRequest[] = [];
  const { origin, server } = await serve({
    handler: undefined,
    routes: { '/chat': (connection, request) => (seen.push(request), connection.send(`chat ${connection.protocol}`)) },
    origins: ['https://app.example'],
    protocols: ['v2', 'v1'],
    async authenticate(request) {
      await sleep(5);
      if (request.headers['authorization'] === 'Bearer good') return true;
      if (request.headers['authorization'] === 'Bearer throw') throw new Error('auth backend down');
      if (request.headers['authorization'] === 'Bearer hang') return new Promise(() => undefined);
      return { status: 401, body: 'log in first', headers: { 'WWW-Authenticate': 'Bearer', Connection: 'close' } };
    },
    handshakeTimeout: 100,
  });
  const errors: unknown[] = [];
  server.on('rejection', (_rejection, _request, error) => error && errors.push(error));
  const pool = newPool();
  const url = origin.replace('http', 'ws');
  const good = { origin: 'https://app.example', headers: { Authorization: 'Bearer good' }, pool };
  await t.rejects(connect(`${url}/nope`, good), { name: 'HandshakeError', code: 'UNEXPECTED_STATUS', status: 404 }, 'no route');
  await t.rejects(connect(`${url}/chat`, { ...good, origin: 'https://evil.example' }), { status: 403 }, 'foreign origin');
  const session = await rawSession(t, origin);
  const unauthenticated = await rawRequest(session, connectHeaders('/chat', { origin: 'https://app.example' }));
  t.equal(unauthenticated.status, 401);
  t.equal(unauthenticated.body, 'log in first');
  t.equal(unauthenticated.headers['www-authenticate'], 'Bearer', 'the hook\'s header fields go out, but no connection-specific ones (RFC 9113 §8.2.2)');
  await t.rejects(connect(`${url}/chat`, { ...good, headers: { Authorization: 'Bearer throw' } }), { status: 500 });
  t.match(errors, [{ message: 'auth backend down' }], 'the hook\'s exception is passed to the rejection event');
  await t.rejects(connect(`${url}/chat`, { ...good, headers: { Authorization: 'Bearer hang' } }), { status: 408 }, 'a hook that never answers: 408, not a hang');
  const client = await connect(`${url}/chat?x=1`, { ...good, protocols: ['v1', 'v2'] });
  t.equal(client.protocol, 'v1');
  t.equal((await nextMessage(client)).data.toString(), 'chat v1');
  t.match(seen[0], { transport: 'h2', path: '/chat?x=1', pathname: '/chat', origin: 'https://app.example', protocols: ['v1', 'v2'] });
  t.equal(seen[0]?.authority, `127.0.0.1:${new URL(origin).port}`);
  t.equal(pool.sessionCount, 1, 'refused handshakes and the accepted one shared one session');
  client.close();
  await closed(client);
});

t.test('attached to servers the application made: TLS with a request listener, and h2c without', async (t) => {
  for (const secure of [true, false]) {
    const app = secure
      ? createSecureServer({ cert: devCert.cert, key: devCert.key, ...http2ServerOptions() }, (_req, res) => res.end('page'))
      : createH2cServer(); // no options at all: attach turns extended CONNECT on
    const sockets = new WebSocketServer({ handler: (connection) => connection.send('attached') }).attach(app);
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const port = (app.address() as { port: number }).port;
    const pool = newPool();
    const client = await connect(`${secure ? 'wss' : 'ws'}://127.0.0.1:${port}/any`, { tls: { ca: devCert.cert }, pool });
    t.equal((await nextMessage(client)).data.toString(), 'attached', secure ? 'TLS' : 'h2c');
    if (secure) {
      // The compatibility layer still serves ordinary requests next to the WebSocket.
      const session = await rawSession(t, `https://127.0.0.1:${port}`);
      const page = await rawRequest(session, { ':path': '/' });
      t.same([page.status, page.body], [200, 'page'], 'the application\'s own request listener still answers');
      session.close();
    }
    t.equal(sockets.address(), undefined, 'no server of its own');
    await sockets.close();
    t.equal((await closed(client)).code, 1001, 'close() sends 1001 to every connection');
    pool.close();
    await new Promise((resolve) => app.close(resolve));
  }
});

t.test('handleStream from a \'stream\' listener of the application', async (t) => {
  const app = createH2cServer(http2ServerOptions());
  const sockets = new WebSocketServer({ handler: (connection) => connection.send('handled') });
  app.on('stream', (stream: ServerHttp2Stream, headers) => {
    if (headers[':path'] === '/ws') sockets.handleStream(stream, headers);
    else stream.respond({ ':status': 204 }, { endStream: true });
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.teardown(() => app.close());
  const port = (app.address() as { port: number }).port;
  const pool = newPool();
  const client = await connect(`ws://127.0.0.1:${port}/ws`, { pool });
  t.equal((await nextMessage(client)).data.toString(), 'handled');
  client.close();
  await closed(client);
});

t.test('a GOAWAY from the client closes its WebSockets with 1001', async (t) => {
  const closedOnServer: number[] = [];
  const { origin } = await serve({ handler: (connection) => connection.on('close', (details) => closedOnServer.push(details.code)) });
  const session = await rawSession(t, origin);
  const answer = await rawRequest(session, connectHeaders('/'));
  const frames = new FrameCollector(answer.stream);
  session.close(); // GOAWAY (NO_ERROR); the open stream may finish
  const close = await frames.next();
  t.equal(close.opcode, 0x8);
  t.equal(closeCodeOf(close), 1001, 'the server sent close 1001');
  answer.stream.end(clientFrame(0x8, close.payload.subarray(0, 2)));
  await once(answer.stream, 'close');
  t.equal(answer.stream.rstCode, constants.NGHTTP2_NO_ERROR, 'the stream ended with END_STREAM both ways');
  while (closedOnServer.length === 0) await sleep(5);
  t.same(closedOnServer, [1001]);
});

t.test('close(): 1001 for open WebSockets, 503 for handshakes meanwhile, GOAWAY, then the listener stops', async (t) => {
  let slowAuth!: () => void;
  const server = new WebSocketServer({
    handler: () => undefined,
    authenticate: (request) => (request.path === '/slow' ? new Promise<boolean>((resolve) => (slowAuth = () => resolve(true))) : true),
  });
  const { port } = await server.listen();
  const pool = newPool();
  const open: WebSocketConnection[] = await Promise.all([connect(`ws://127.0.0.1:${port}/`, { pool }), connect(`ws://127.0.0.1:${port}/`, { pool })]);
  t.equal(server.connections.size, 2);
  const session = await rawSession(t, `http://127.0.0.1:${port}`);
  const goaway = once(session, 'goaway');
  const slow = rawRequest(session, connectHeaders('/slow'));
  await sleep(20);
  const closing = server.close();
  slowAuth();
  t.equal((await slow).status, 503, 'a handshake that finishes during shutdown is refused');
  t.equal((await goaway)[0], constants.NGHTTP2_NO_ERROR, 'GOAWAY with NO_ERROR');
  const codes = await Promise.all(open.map((connection) => closed(connection).then((details) => details.code)));
  t.same(codes, [1001, 1001]);
  session.destroy();
  await closing;
  t.equal(server.connections.size, 0);
  await t.rejects(connect(`ws://127.0.0.1:${port}/`, { pool }), { code: 'ECONNREFUSED' });
  await new WebSocketServer({ handler: () => undefined }).close();
  t.pass('closing a server that never listened');
});

t.test('listen() reports an address in use', async (t) => {
  const { port } = await serve();
  await t.rejects(new WebSocketServer().listen({ port }), { code: 'EADDRINUSE' });
});

t.test('a session that fails ends only its own WebSockets (1006)', async (t) => {
  // node:http2 stops reading a session after a connection error without telling anyone; the PING keepalive finds it.
  const onServer = new Map<string, WebSocketConnection>();
  const { port } = await serve({ sessionPingInterval: 100, handler: (connection, request) => (echo(connection), onServer.set(request.path, connection)) });
  const pool = newPool();
  const bystander = await connect(`ws://127.0.0.1:${port}/bystander`, { pool });
  // The victims' session goes through a proxy that can slip a bad frame in.
  const spy = await frameSpy(port);
  t.teardown(() => spy.close());
  const raw = connectHttp2(`http://127.0.0.1:${spy.port}`);
  raw.on('error', () => undefined);
  t.teardown(() => raw.destroy());
  await once(raw, 'remoteSettings');
  const victims = [await rawRequest(raw, connectHeaders('/victim-1')), await rawRequest(raw, connectHeaders('/victim-2'))];
  t.same(victims.map((answer) => answer.status), [200, 200]);
  const victimsClosed = ['/victim-1', '/victim-2'].map((path) => closed(onServer.get(path)!));
  // A DATA frame on stream 0 is a connection error (RFC 9113 §6.1): the server's session fails.
  spy.inject(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0]));
  for (const details of await Promise.all(victimsClosed)) {
    t.equal(details.code, 1006, 'the failed session\'s WebSockets are aborted');
    t.equal(details.wasClean, false);
  }
  await seen(spy.frames, (frames) => frames.some((frame) => frame.direction === 'down' && frame.type === FrameType.GOAWAY));
  t.ok(spy.frames.some((frame) => frame.direction === 'down' && frame.type === FrameType.GOAWAY && frame.errorCode === constants.NGHTTP2_PROTOCOL_ERROR), 'GOAWAY(PROTOCOL_ERROR) went out');
  bystander.send('unaffected?');
  t.equal((await nextMessage(bystander)).data.toString(), 'unaffected?', 'a WebSocket of another session still works');
  t.equal(onServer.get('/bystander')!.readyState, 1);
  bystander.close();
  await closed(bystander);
});

t.test('a client session that fails ends only its own WebSockets (1006)', async (t) => {
  const onServer = new Map<string, WebSocketConnection>();
  const { port } = await serve({ sessionPingInterval: 100, handler: (connection, request) => (echo(connection), onServer.set(request.path, connection)) });
  const spy = await frameSpy(port);
  t.teardown(() => spy.close());
  const victims = new SessionPool({ sessionPingInterval: 100 });
  const bystanders = new SessionPool();
  t.teardown(() => (victims.close(), bystanders.close()));
  const victim = await connect(`ws://127.0.0.1:${spy.port}/victim`, { pool: victims });
  const bystander = await connect(`ws://127.0.0.1:${port}/bystander`, { pool: bystanders });
  // This time the client's session receives the bad frame.
  spy.inject(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0]), 'down');
  const [atClient, atServer] = await Promise.all([closed(victim), closed(onServer.get('/victim')!)]);
  t.match(atClient, { code: 1006, wasClean: false });
  t.match(atServer, { code: 1006, wasClean: false });
  bystander.send('unaffected?');
  t.equal((await nextMessage(bystander)).data.toString(), 'unaffected?');
  bystander.close();
  await closed(bystander);
});
