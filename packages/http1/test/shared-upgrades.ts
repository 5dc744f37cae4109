/**
 * A node:http server's 'upgrade' event shared with other listeners: attach()
 * takes the upgrades its server serves before any other listener sees them,
 * leaves the rest to those listeners untouched, and refuses them with 404
 * only when nobody else listens. handleUpgrade does the same when told
 * others listen. And ws's way: a 'connection' listener alone takes WebSockets.
 */
import t from 'tap';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { nextMessage } from '@wstack/testkit';
import { connect, WebSocketServer } from '../src/index.js';
import { rawRequest, upgradeRequest } from './raw-http.js';

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

/** An 'upgrade' listener of another library: it answers 418 on every upgrade it sees, and records the paths. */
function otherListener(server: Server) {
  const seen: string[] = [];
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    seen.push(request.url!);
    socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  return seen;
}

const greeter = (greeting: string) => ({ routes: { [`/${greeting}`]: (connection: { send(data: string): unknown }) => connection.send(greeting) } });

t.test('attach beside another upgrade listener: its routes are taken before the other sees them, the rest left to it', async (t) => {
  const app = createServer();
  const wstack = new WebSocketServer(greeter('a')).attach(app);
  const seen = otherListener(app);
  const port = await listening(app);
  const client = await connect(`ws://127.0.0.1:${port}/a?x=1`);
  t.equal((await nextMessage(client)).data.toString(), 'a');
  t.same(seen, [], 'the other listener never saw /a');
  const other = await rawRequest(port, upgradeRequest('/b'));
  t.equal(other.status, 418, 'the other listener answered /b, and nothing else was written');
  t.equal(other.body, '');
  t.same(seen, ['/b']);
  const notWebSocket = await rawRequest(port, upgradeRequest('/a', { Upgrade: 'h2c' }));
  t.equal(notWebSocket.status, 418, 'an upgrade to something else on a served path is not a WebSocket: left too');
  await wstack.close();
});

t.test('an upgrade listener added after attach is treated the same', async (t) => {
  const app = createServer();
  const wstack = new WebSocketServer(greeter('a')).attach(app);
  const port = await listening(app);
  t.equal((await rawRequest(port, upgradeRequest('/b'))).status, 404, 'alone, wstack refuses what it does not serve');
  const seen = otherListener(app);
  t.equal((await rawRequest(port, upgradeRequest('/b'))).status, 418);
  const answer = await rawRequest(port, upgradeRequest('/a'));
  t.equal(answer.status, 101);
  answer.socket.destroy();
  t.same(seen, ['/b']);
  await wstack.close();
});

t.test('several WebSocketServers attached to one server each take their own paths; 404 for the rest', async (t) => {
  const app = createServer();
  const first = new WebSocketServer(greeter('a')).attach(app);
  const second = new WebSocketServer(greeter('b')).attach(app).attach(app);
  const port = await listening(app);
  t.equal((await nextMessage(await connect(`ws://127.0.0.1:${port}/a`))).data.toString(), 'a');
  t.equal((await nextMessage(await connect(`ws://127.0.0.1:${port}/b`))).data.toString(), 'b');
  const refused = await rawRequest(port, upgradeRequest('/c'));
  t.equal(refused.status, 404);
  t.equal(app.listenerCount('upgrade'), 1, 'one listener however many are attached');
  await Promise.all([first.close(), second.close()]);
});

t.test('a malformed request on a path nobody serves still gets its 400 when wstack is alone', async (t) => {
  const app = createServer();
  const wstack = new WebSocketServer(greeter('a')).attach(app);
  const port = await listening(app);
  t.equal((await rawRequest(port, upgradeRequest('/b', { 'Sec-WebSocket-Key': '' }))).status, 400);
  t.equal((await rawRequest(port, upgradeRequest('/b', { Upgrade: 'h2c' }))).status, 400);
  await wstack.close();
});

t.test('handleUpgrade: with leaveUnserved an unserved upgrade is left, nothing written; without it, 404', async (t) => {
  const wstack = new WebSocketServer(greeter('a'));
  const app = createServer();
  const results: boolean[] = [];
  app.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const taken = wstack.handleUpgrade(request, socket, head, { leaveUnserved: true });
    results.push(taken);
    if (!taken) socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  const port = await listening(app);
  t.equal((await rawRequest(port, upgradeRequest('/b'))).status, 418);
  const served = await rawRequest(port, upgradeRequest('/a'));
  t.equal(served.status, 101);
  served.socket.destroy();
  t.same(results, [false, true]);
  const plain = createServer();
  plain.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => results.push(wstack.handleUpgrade(request, socket, head)));
  const plainPort = await listening(plain);
  t.equal((await rawRequest(plainPort, upgradeRequest('/b'))).status, 404, 'a plain handleUpgrade keeps the 404');
  t.same(results, [false, true, true]);
  await wstack.close();
});

t.test('serves(): a WebSocket upgrade on a path of a route, the handler, or any path with a connection listener', async (t) => {
  const request = (url: string | undefined, upgrade?: string) => ({ url, headers: upgrade === undefined ? {} : { upgrade } }) as IncomingMessage;
  const routed = new WebSocketServer(greeter('a'));
  t.equal(routed.serves(request('/a?q=1', 'websocket')), true);
  t.equal(routed.serves(request('/a', 'WebSocket')), true);
  t.equal(routed.serves(request('/b', 'websocket')), false);
  t.equal(routed.serves(request('/a', 'h2c')), false);
  t.equal(routed.serves(request('/a')), false);
  t.equal(new WebSocketServer({ handler: () => undefined }).serves(request(undefined, 'websocket')), true);
  const listened = new WebSocketServer();
  t.equal(listened.serves(request('/x', 'websocket')), false);
  listened.on('connection', () => undefined);
  t.equal(listened.serves(request('/x', 'websocket')), true);
});

t.test("ws's way: a 'connection' listener alone takes every WebSocket; with none, 404", async (t) => {
  const server = new WebSocketServer();
  const { port } = await server.listen();
  t.teardown(() => server.close());
  t.equal((await rawRequest(port, upgradeRequest('/anywhere'))).status, 404, 'no handler, no routes, no listener');
  server.on('connection', (connection, request) => connection.send(`hello ${request.path}`));
  const client = await connect(`ws://127.0.0.1:${port}/anywhere`);
  t.equal((await nextMessage(client)).data.toString(), 'hello /anywhere');
});

t.test('options it does not know are a TypeError naming them; port says what to call instead', async (t) => {
  t.throws(() => new WebSocketServer({ prot: 1 } as never), new TypeError('unknown option prot for the http1 WebSocketServer; did you mean protocols?'));
  t.throws(() => new WebSocketServer({ port: 8080 } as never), {
    name: 'TypeError',
    message: 'unknown option port for the http1 WebSocketServer: the http1 WebSocketServer does not listen by itself: call listen({ port }), or use createServer({ port }) of wstack',
  });
  t.throws(() => new WebSocketServer({ server: createServer() } as never), /unknown option server .*: call attach\(server\)/);
  t.throws(() => new WebSocketServer({ noServer: true } as never), /unknown option noServer .*handleUpgrade/);
  t.throws(() => new WebSocketServer({ verifyClient: () => true } as never), /use authenticate/);
  t.doesNotThrow(() => new WebSocketServer({ maxHeaderBytes: 1, altSvc: 'h3=":1"', routes: {}, perMessageDeflate: true, highWaterMark: 1 }));
  t.ok(WebSocketServer.optionNames.has('altSvc'));
  await t.rejects(connect('ws://127.0.0.1:9/', { rejectUnauthorized: false } as never), { name: 'TypeError', message: 'unknown option rejectUnauthorized for the http1 connect: put it in tls: { rejectUnauthorized }' });
  await t.rejects(connect('ws://127.0.0.1:9/', { protocol: 'chat' } as never), /unknown option protocol for the http1 connect; did you mean protocols\?/);
});
