/** The server's handshake sequence shared by every transport (accept.ts), over a handshake of the test's making. */
import t from 'tap';
import { DEFAULT_SHUTDOWN_TIMEOUT, TransportServer, type IncomingHandshake, type ShutdownResult } from '../src/accept.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { WebSocketConnection } from '../src/connection.js';
import { Tunnel } from '../src/tunnel.js';
import type { AcceptedTerms, Rejection, ServerOptions, UpgradeRequest } from '../src/upgrade-policy.js';

class Server extends TransportServer {
  run(handshake: IncomingHandshake): Promise<void> {
    return this.accept(handshake);
  }

  close(): Promise<ShutdownResult> {
    return this.closeConnections();
  }
}

const request: UpgradeRequest = {
  transport: 'http/1.1',
  path: '/chat?x=1',
  pathname: '/chat',
  authority: 'example.com',
  origin: undefined,
  headers: { host: 'example.com' },
  protocols: ['v1'],
  extensions: [],
  remoteAddress: '127.0.0.1',
};

/** A handshake that records what the sequence did with it. */
function handshake(checked: { request: UpgradeRequest } | { reject: Rejection } = { request }) {
  const [near, far] = createMemoryCarrierPair();
  const log: string[] = [];
  const made = {
    far,
    log,
    gone: false,
    answered: undefined as AcceptedTerms | undefined,
    refused: undefined as Rejection | undefined,
    opened: undefined as WebSocketConnection | Tunnel | undefined,
    check: () => (log.push('check'), checked),
    answer: (terms: AcceptedTerms) => (log.push('answer'), (made.answered = terms), near),
    refuse: (rejection: Rejection) => (log.push('refuse'), (made.refused = rejection)),
  };
  const incoming: IncomingHandshake = {
    check: made.check,
    get gone() {
      return made.gone;
    },
    answer: made.answer,
    refuse: made.refuse,
    opened: (opened) => (log.push('opened'), (made.opened = opened)),
  };
  return { made, incoming };
}

function events(server: Server) {
  const seen: string[] = [];
  server.on('connection', (_connection, req) => seen.push(`connection ${req.path}`));
  server.on('rejection', (rejection, req, error) => seen.push(`rejection ${rejection.status} ${req?.path ?? '-'} ${error === undefined ? '-' : 'error'}`));
  return seen;
}

t.test('accepted: answered with the terms, opened, tracked, handed to the handler, then announced', async (t) => {
  const options: ServerOptions = { protocols: ['v1'], handler: (connection) => made.log.push(`handler ${connection.protocol}`) };
  const server = new Server(options);
  const seen = events(server);
  const { made, incoming } = handshake();
  await server.run(incoming);
  t.same(made.log, ['check', 'answer', 'opened', 'handler v1']);
  t.same(made.answered, { protocol: 'v1', extensions: '' });
  t.ok(made.opened instanceof WebSocketConnection);
  const connection = made.opened as WebSocketConnection;
  t.equal(connection.role, 'server');
  t.equal(connection.path, '/chat?x=1');
  t.same(seen, ['connection /chat?x=1']);
  t.same([...server.connections], [connection]);
  connection.terminate();
  await new Promise((resolve) => connection.once('close', resolve));
  t.equal(server.connections.size, 0, 'dropped once closed');
  made.far.abort();
});

t.test('permessage-deflate offered and enabled: the answer names it and the connection compresses', async (t) => {
  const server = new Server({ perMessageDeflate: true, handler: () => undefined });
  const { made, incoming } = handshake({ request: { ...request, extensions: [{ name: 'permessage-deflate', params: [] }] } });
  await server.run(incoming);
  t.match(made.answered, { extensions: /^permessage-deflate/ });
  t.match((made.opened as WebSocketConnection).extensions, /^permessage-deflate/);
  (made.opened as WebSocketConnection).terminate();
  made.far.abort();
});

t.test('refused: an invalid request, a policy refusal, a throwing hook', async (t) => {
  const server = new Server({ routes: { '/chat': () => undefined }, authenticate: (req) => (req.headers.host === 'boom' ? (() => { throw new Error('hook'); })() : true) });
  const seen = events(server);
  // The 'connection' listener here only records: the server takes no WebSocket without a route.
  server.acceptsUnrouted = () => false;
  const invalid = handshake({ reject: { status: 400, body: 'bad' } });
  await server.run(invalid.incoming);
  t.same(invalid.made.log, ['check', 'refuse']);
  t.same(invalid.made.refused, { status: 400, body: 'bad' });
  const unrouted = handshake({ request: { ...request, path: '/else', pathname: '/else' } });
  await server.run(unrouted.incoming);
  t.equal(unrouted.made.refused?.status, 404);
  const throwing = handshake({ request: { ...request, headers: { host: 'boom' } } });
  await server.run(throwing.incoming);
  t.equal(throwing.made.refused?.status, 500);
  t.same(seen, ['rejection 400 - -', 'rejection 404 /else -', 'rejection 500 /chat?x=1 error']);
  t.equal(server.connections.size, 0);
});

t.test('a peer gone while the policy decided gets nothing', async (t) => {
  let release!: () => void;
  const server = new Server({ handler: () => undefined, authenticate: () => new Promise<boolean>((resolve) => (release = () => resolve(true))) });
  const seen = events(server);
  const { made, incoming } = handshake();
  const done = server.run(incoming);
  await new Promise(setImmediate);
  made.gone = true;
  release();
  await done;
  t.same(made.log, ['check']);
  t.same(seen, []);
});

t.test('shutting down: 503 before the checks, and after a decision that came too late; close() closes the open ones with 1001', async (t) => {
  let release!: () => void;
  let waiting = 0;
  const server = new Server({
    handler: () => undefined,
    authenticate: () => (waiting++ === 0 ? true : new Promise<boolean>((resolve) => (release = () => resolve(true)))),
  });
  const seen = events(server);
  const open = handshake();
  await server.run(open.incoming);
  const connection = open.made.opened as WebSocketConnection;
  const slow = handshake();
  const slowDone = server.run(slow.incoming);
  await new Promise(setImmediate);
  const wire: Buffer[] = [];
  open.made.far.attach({ data: (chunk) => wire.push(chunk), end: () => undefined, drain: () => undefined, close: () => undefined });
  const closed = server.close();
  release();
  await slowDone;
  t.equal(slow.made.refused?.status, 503, 'decided after close() began');
  const late = handshake();
  await server.run(late.incoming);
  t.same(late.made.log, ['refuse'], 'not even checked');
  t.equal(late.made.refused?.status, 503);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const frame = Buffer.concat(wire);
  t.equal(frame[0], 0x88, 'a close frame went out');
  t.equal(frame.readUInt16BE(2), 1001);
  connection.terminate(); // the far end does not answer the close here
  await closed;
  t.equal(connection.readyState, WebSocketConnection.CLOSED);
  t.same(seen, ['connection /chat?x=1', 'rejection 503 /chat?x=1 -', 'rejection 503 - -']);
});

t.test('close() with nothing open resolves at once', async (t) => {
  await new Server({}).close();
  t.pass();
});

t.test('a tunnel policy: the carrier becomes a tunnel, opened, handed to the policy, not counted as a connection', async (t) => {
  const tunnels: Tunnel[] = [];
  const server = new Server({ tunnel: { open: (tunnel) => tunnels.push(tunnel), extensions: () => 'x-far' } });
  const seen = events(server);
  const { made, incoming } = handshake();
  await server.run(incoming);
  t.same(made.log, ['check', 'answer', 'opened']);
  t.same(made.answered, { protocol: '', extensions: 'x-far' });
  t.equal(tunnels.length, 1);
  t.equal(made.opened, tunnels[0]);
  t.equal(tunnels[0]!.extensions, 'x-far');
  t.equal(server.connections.size, 0);
  t.same(seen, []);
  made.far.abort();
});

t.test('close() has one deadline: what is still open at shutdownTimeout is terminated and counted', async (t) => {
  const server = new Server({ handler: () => undefined, shutdownTimeout: 200, closeTimeout: 10_000 });
  const answering = handshake();
  const silent = handshake();
  await server.run(answering.incoming);
  await server.run(silent.incoming);
  // One peer answers the close; the other never reads or answers.
  new WebSocketConnection('client', answering.made.far);
  silent.made.far.pause();
  const began = Date.now();
  const result = await server.close();
  t.same(result, { closed: 1, terminated: 1 });
  t.ok(Date.now() - began < 2000, `resolved after ${Date.now() - began} ms, at the deadline rather than the 10 s close timeout`);
  t.equal(server.connections.size, 0);
  t.equal(DEFAULT_SHUTDOWN_TIMEOUT, 10_000);
});

t.test('with every peer answering, close() resolves as soon as they are closed', async (t) => {
  const server = new Server({ handler: () => undefined });
  const made = handshake();
  await server.run(made.incoming);
  new WebSocketConnection('client', made.made.far);
  t.same(await server.close(), { closed: 1, terminated: 0 });
});

t.test("ws's way: with no handler and no route, a 'connection' listener takes the WebSocket; with none, 404", async (t) => {
  const server = new Server({});
  t.equal(server.servesPath('/any'), false);
  const refused = handshake();
  await server.run(refused.incoming);
  t.same(refused.made.refused, { status: 404, body: 'Not Found' });
  const connections: WebSocketConnection[] = [];
  server.on('connection', (connection) => connections.push(connection));
  t.equal(server.servesPath('/any'), true);
  const taken = handshake();
  await server.run(taken.incoming);
  t.same(taken.made.log, ['check', 'answer', 'opened']);
  t.equal(connections.length, 1);
  t.equal(connections[0], taken.made.opened);
  await server.close();
});

t.test('servesPath: a route, the handler, a tunnel; acceptsUnrouted may be pointed elsewhere', async (t) => {
  const routed = new Server({ routes: { '/chat': () => undefined } });
  t.equal(routed.servesPath('/chat'), true);
  t.equal(routed.servesPath('/other'), false);
  t.equal(routed.servesPath('toString'), false, 'a prototype key is no route');
  t.equal(new Server({ handler: () => undefined }).servesPath('/other'), true);
  t.equal(new Server({ tunnel: { open: () => undefined, extensions: () => '' } }).servesPath('/other'), true);
  let listening = true;
  routed.acceptsUnrouted = () => listening;
  t.equal(routed.servesPath('/other'), true);
  const taken = handshake({ request: { ...request, pathname: '/other' } });
  await routed.run(taken.incoming);
  t.same(taken.made.log, ['check', 'answer', 'opened'], 'accepted although this server has no listener');
  listening = false;
  const refused = handshake({ request: { ...request, pathname: '/other' } });
  await routed.run(refused.incoming);
  t.equal(refused.made.refused?.status, 404);
  await routed.close();
});
