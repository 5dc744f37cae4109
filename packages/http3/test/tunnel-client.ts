/**
 * Tunnels over HTTP/3 (core's tunnelOver): the handshake of connect, then the WebSocket's raw
 * frames both ways (RFC 6455 §5, RFC 9220 §3), on the pool's connections.
 */
import t, { type Test } from 'tap';
import { once } from 'node:events';
import { tunnelOver, type Tunnel, type TunnelOffer, type WebSocketConnection } from '@wstack/core';
import { clientFrame, closed, closeFrame, record, recordingEcho, runTunnelClientSuite, SERVER_CLOSE_1000, serverText } from '@wstack/testkit';
import { connect, http3Client, SessionPool, WebSocketServer, type Http3ClientOptions, type Http3ServerOptions } from '../src/index.js';
import type { Http3Connection } from '../src/h3-connection.js';
import { devCert } from './h3-transport.js';

const openTunnel = (url: string, options: Http3ClientOptions & TunnelOffer) => tunnelOver(http3Client, url, options);

const tls = { ca: devCert.cert };

async function serve(options: Http3ServerOptions = {}, test: Test = t) {
  const { requests, handler } = recordingEcho();
  const server = new WebSocketServer({ ...options, handler });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  test.teardown(() => server.close());
  const pool = new SessionPool();
  test.teardown(() => pool.close());
  const sessions = (server as unknown as { sessions: Set<Http3Connection> }).sessions;
  return { url: `wss://127.0.0.1:${port}`, requests, pool, sessions };
}

/** The client's QUIC connection under a WebSocket or tunnel (their carrier's host). */
function connectionOf(opened: WebSocketConnection | Tunnel): Http3Connection {
  return (opened as unknown as { carrier: { host: Http3Connection } }).carrier.host;
}

runTunnelClientSuite(t, {
  transport: 'h3',
  serve: async (t, options) => {
    const server = await serve(options, t);
    return { ...server, clientOptions: { pool: server.pool, tls }, openSessions: () => server.pool.sessionCount };
  },
  connect,
  openTunnel,
});

t.test('a tunnel shares the pooled connection with WebSockets, holds it, and releases it when it closes', async (t) => {
  const { url, pool, sessions } = await serve();
  const websocket = await connect(url, { pool, tls });
  const tunnel = await openTunnel(url, { pool, tls });
  const { seen, nextFrame, finish } = record(tunnel);
  const connection = connectionOf(tunnel);
  t.equal(connectionOf(websocket), connection, 'one QUIC connection');
  t.equal(pool.sessionCount, 1);
  t.equal(sessions.size, 1, 'one at the server too');
  t.ok(connection.websockets.has(tunnel), 'the connection tracks the tunnel');
  websocket.close(1000);
  await closed(websocket);
  t.equal(pool.sessionCount, 1, 'the tunnel still holds the connection');
  t.notOk(connection.closed);
  tunnel.write(clientFrame(0x1, Buffer.from('still here')));
  t.same(await nextFrame(), serverText('still here'), 'and works');
  const connectionClosed = once(connection, 'close');
  tunnel.write(closeFrame(1000));
  t.same(await nextFrame(), SERVER_CLOSE_1000);
  await finish();
  t.equal(seen.error, undefined);
  t.equal(pool.sessionCount, 0, 'released: the pool dropped the connection');
  t.equal(connection.websockets.size, 0);
  await connectionClosed;
  t.ok(connection.closed, 'and closed it (idleTimeout 0)');
});

t.test('GOAWAY leaves the client\'s WebSockets and tunnels running (RFC 9114 §5.2)', async (t) => {
  const { url, pool, sessions } = await serve();
  const websocket = await connect(url, { pool, tls });
  const tunnel = await openTunnel(url, { pool, tls });
  const { seen, nextFrame, finish } = record(tunnel);
  for (const session of sessions) session.goaway();
  const echoed = new Promise<string>((resolve) => websocket.once('message', (data) => resolve(data.toString())));
  websocket.send('after GOAWAY too');
  t.equal(await echoed, 'after GOAWAY too', 'the WebSocket still runs');
  websocket.close(1000);
  t.match(await closed(websocket), { code: 1000, wasClean: true });
  t.equal(tunnel.closed, false);
  // The far end (the server's WebSocket) saw no close: it still echoes, and the stream still runs (RFC 9114 §5.2).
  tunnel.write(clientFrame(0x1, Buffer.from('after GOAWAY')));
  t.same(await nextFrame(), serverText('after GOAWAY'), 'nothing but the echo came through');
  tunnel.write(closeFrame(1000));
  t.same(await nextFrame(), SERVER_CLOSE_1000);
  await finish();
  t.equal(seen.error, undefined, 'a clean end');
});
