/**
 * What a user of the ws package expects of createServer and connect: a
 * 'connection' listener alone takes WebSockets, and an option that is not
 * known (a typo, or one of ws's) is a TypeError naming it rather than
 * ignored.
 */
import t from 'tap';
import { HandshakeError } from '@wstack/protocol';
import { nextMessage } from '@wstack/testkit';
import { connect, createServer, openTunnel, type ClientTransport } from '../src/index.js';

t.test("a 'connection' listener alone takes every WebSocket, on every transport; with none, 404", async (t) => {
  const server = await createServer({ devCert: true });
  t.teardown(() => server.close());
  const tls = { ca: server.devCert!.cert };
  const transports: ClientTransport[] = ['h1', 'h2', 'h3'];
  for (const transport of transports) {
    const refused = await connect(`${server.url}x`, { transport, tls }).catch((error: unknown) => error);
    t.match(refused, HandshakeError, `${transport}: no handler, no routes, no listener`);
    t.equal((refused as HandshakeError).status, 404);
  }
  server.on('connection', (connection, request) => connection.send(`${connection.transport} ${request.path}`));
  for (const transport of transports) {
    const client = await connect(`${server.url}any?x=1`, { transport, tls });
    t.equal((await nextMessage(client)).data.toString(), `${client.transport} /any?x=1`);
  }
});

t.test('routes and a connection listener: unrouted paths go to the listener, routed ones to their route and the listener', async (t) => {
  const server = await createServer({ routes: { '/a': (connection) => connection.send('route a') } });
  t.teardown(() => server.close());
  const paths: string[] = [];
  server.on('connection', (connection, request) => {
    paths.push(request.path);
    if (request.path !== '/a') connection.send('listener');
  });
  t.equal((await nextMessage(await connect(`${server.url}a`, { transport: 'h1' }))).data.toString(), 'route a');
  t.equal((await nextMessage(await connect(`${server.url}b`, { transport: 'h2' }))).data.toString(), 'listener');
  t.same(paths, ['/a', '/b']);
});

t.test('createServer: an unknown option is a TypeError naming it; ws names say what to use', async (t) => {
  await t.rejects(createServer({ prot: 1 } as never), new TypeError('unknown option prot for createServer; did you mean protocols?'));
  await t.rejects(createServer({ server: {} } as never), /unknown option server for createServer: createServer listens by itself/);
  await t.rejects(createServer({ path: '/ws' } as never), /unknown option path for createServer: serve paths with routes/);
  await t.rejects(createServer({ maxIdleTimeout: 1 } as never), /unknown option maxIdleTimeout for createServer/);
});

t.test("createServer hands each transport only its own options: HTTP/2's tuning and HTTP/1.1's limits beside HTTP/3", async (t) => {
  const server = await createServer({ devCert: true, streamWindowSize: 128 * 1024, maxBytesInFlight: 32 * 1024, maxHeaderCount: 50, altSvc: 'x', handler: (connection) => connection.send('ok') });
  t.teardown(() => server.close());
  t.same(server.transports, ['http/1.1', 'h2', 'h3']);
  const client = await connect(`${server.url}`, { transport: 'h3', tls: { ca: server.devCert!.cert } });
  t.equal((await nextMessage(client)).data.toString(), 'ok');
});

t.test('connect and openTunnel: an unknown option rejects with a TypeError naming it', async (t) => {
  await t.rejects(connect('ws://127.0.0.1:9/', { transprot: 'h1' } as never), new TypeError('unknown option transprot for connect; did you mean transport?'));
  await t.rejects(connect('ws://127.0.0.1:9/', { maxPayload: 1 } as never), new TypeError('unknown option maxPayload for connect: use maxMessageSize'));
  await t.rejects(connect('ws://127.0.0.1:9/', { extensions: 'x' } as never), /unknown option extensions for connect/, 'a tunnel offer is openTunnel\'s');
  await t.rejects(openTunnel('ws://127.0.0.1:9/', { bogus: true } as never), new TypeError('unknown option bogus for openTunnel'));
});
