/**
 * A node:http2 server's CONNECT streams shared with other listeners:
 * attach() takes the WebSocket streams its server serves before any other
 * listener (or node:http2's compatibility layer) sees them, leaves the other
 * CONNECT streams to those listeners, and refuses them only when nobody
 * else would answer. And ws's way: a 'connection' listener alone takes
 * WebSockets.
 */
import t from 'tap';
import { createServer as createH2cServer, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Stream } from 'node:http2';
import { nextMessage } from '@wstack/testkit';
import { connect, http2ServerOptions, SessionPool, WebSocketServer } from '../src/index.js';
import { connectHeaders, rawRequest, rawSession } from './helpers.js';

async function listening(app: Http2Server): Promise<string> {
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => app.close(() => resolve())));
  return `http://127.0.0.1:${(app.address() as { port: number }).port}`;
}

function newPool() {
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  return pool;
}

const greeter = { routes: { '/a': (connection: { send(data: string): unknown }) => connection.send('a') } };
const TUNNEL = { ':method': 'CONNECT', ':authority': '127.0.0.1:9' };

t.test("beside a 'connect' listener (the compatibility layer's way): WebSockets it serves are taken first, the rest left to the listener", async (t) => {
  const app = createH2cServer(http2ServerOptions(), (_req, res) => res.end('page'));
  const wstack = new WebSocketServer(greeter).attach(app);
  const seen: string[] = [];
  app.on('connect', (request: Http2ServerRequest, response: Http2ServerResponse) => {
    seen.push(request.headers[':path'] ?? request.headers[':authority']!);
    response.writeHead(418).end('teapot');
  });
  const origin = await listening(app);
  const client = await connect(`${origin.replace('http', 'ws')}/a`, { pool: newPool() });
  t.equal((await nextMessage(client)).data.toString(), 'a');
  t.same(seen, [], 'the connect listener never saw /a');
  const session = await rawSession(t, origin);
  const other = await rawRequest(session, connectHeaders('/b'));
  t.same([other.status, other.body], [418, 'teapot'], 'a WebSocket path wstack does not serve went to the other listener alone');
  t.equal((await rawRequest(session, TUNNEL)).status, 418, 'so did a CONNECT tunnel');
  t.same(seen, ['/b', '127.0.0.1:9']);
  t.equal((await rawRequest(session, { ':path': '/' })).body, 'page', 'the request listener still answers');
  await wstack.close();
});

t.test('with no other listener, what wstack does not serve is refused as before: 404, 501 for a tunnel', async (t) => {
  for (const withRequests of [true, false]) {
    const app = withRequests ? createH2cServer(http2ServerOptions(), (_req, res) => res.end('page')) : createH2cServer(http2ServerOptions());
    const wstack = new WebSocketServer(greeter).attach(app);
    const origin = await listening(app);
    const session = await rawSession(t, origin);
    const refused = await rawRequest(session, connectHeaders('/b'));
    t.equal(refused.status, 404, withRequests ? 'through the compatibility layer' : 'on the stream path');
    t.equal((await rawRequest(session, TUNNEL)).status, 501);
    const served = await rawRequest(session, connectHeaders('/a'));
    t.equal(served.status, 200);
    served.stream.close();
    session.close();
    await wstack.close();
  }
});

t.test("beside a 'stream' listener of the application: it never sees a stream wstack serves, and gets the others", async (t) => {
  const app = createH2cServer(http2ServerOptions());
  const wstack = new WebSocketServer(greeter).attach(app);
  const seen: string[] = [];
  app.on('stream', (stream: ServerHttp2Stream, headers) => {
    seen.push(String(headers[':path']));
    stream.respond({ ':status': 418 }, { endStream: true });
  });
  const origin = await listening(app);
  const client = await connect(`${origin.replace('http', 'ws')}/a`, { pool: newPool() });
  t.equal((await nextMessage(client)).data.toString(), 'a');
  const session = await rawSession(t, origin);
  t.equal((await rawRequest(session, connectHeaders('/b'))).status, 418);
  t.same(seen, ['/b']);
  session.close();
  await wstack.close();
});

t.test('servesStream: a WebSocket CONNECT on a served path', async (t) => {
  const wstack = new WebSocketServer(greeter);
  t.equal(wstack.servesStream(connectHeaders('/a?x=1') as never), true);
  t.equal(wstack.servesStream(connectHeaders('/b') as never), false);
  t.equal(wstack.servesStream(connectHeaders('/a', { ':protocol': 'webtransport' }) as never), false);
  t.equal(wstack.servesStream(TUNNEL as never), false);
  t.equal(new WebSocketServer({ handler: () => undefined }).servesStream(connectHeaders('', { ':path': '' }) as never), true);
});

t.test("ws's way: a 'connection' listener alone takes every WebSocket; with none, 404", async (t) => {
  const server = new WebSocketServer();
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const session = await rawSession(t, `http://127.0.0.1:${port}`);
  t.equal((await rawRequest(session, connectHeaders('/anywhere'))).status, 404);
  server.on('connection', (connection, request) => connection.send(`hello ${request.path}`));
  const client = await connect(`ws://127.0.0.1:${port}/anywhere`, { pool: newPool() });
  t.equal((await nextMessage(client)).data.toString(), 'hello /anywhere');
});

t.test('options it does not know are a TypeError naming them; port says what to call instead', async (t) => {
  t.throws(() => new WebSocketServer({ prot: 1 } as never), new TypeError('unknown option prot for the http2 WebSocketServer; did you mean protocols?'));
  t.throws(() => new WebSocketServer({ port: 8080 } as never), /^unknown option port for the http2 WebSocketServer: the http2 WebSocketServer does not listen by itself: call listen\(\{ port \}\)/);
  t.doesNotThrow(() => new WebSocketServer({ streamWindowSize: 65535, sessionPingInterval: 0, maxHeaderCount: 10, altSvc: 'h3=":1"' }));
  t.ok(WebSocketServer.optionNames.has('http1'));
  await t.rejects(connect('ws://127.0.0.1:9/', { agent: false } as never), { name: 'TypeError', message: 'unknown option agent for the http2 connect' });
});
