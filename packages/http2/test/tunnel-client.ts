/**
 * Tunnels over HTTP/2 (core's tunnelOver): the handshake of connect, then the WebSocket's raw
 * frames both ways (RFC 6455 §5, RFC 8441 §5), on the pool's sessions.
 */
import t, { type Test } from 'tap';
import type { ClientHttp2Session, Http2Stream } from 'node:http2';
import { tunnelOver, type Tunnel, type TunnelOffer, type WebSocketConnection } from '@wstack/core';
import { clientFrame, closed, closeFrame, record, recordingEcho, runTunnelClientSuite, SERVER_CLOSE_1000, serverText } from '@wstack/testkit';
import { connect, http2Client, SessionPool, WebSocketServer, type Http2ClientOptions, type Http2ServerOptions } from '../src/index.js';
import type { SessionWebSockets } from '../src/session-websockets.js';

const openTunnel = (url: string, options: Http2ClientOptions & TunnelOffer) => tunnelOver(http2Client, url, options);

async function serve(options: Http2ServerOptions = {}, test: Test = t) {
  const { requests, accepted, handler } = recordingEcho();
  const server = new WebSocketServer({ ...options, handler });
  const { port } = await server.listen();
  test.teardown(() => server.close());
  const pool = new SessionPool();
  test.teardown(() => pool.close());
  return { url: `ws://127.0.0.1:${port}`, requests, accepted, pool };
}

/** The HTTP/2 stream under a WebSocket or tunnel (their carrier's). */
function streamOf(opened: WebSocketConnection | Tunnel): Http2Stream {
  return (opened as unknown as { carrier: { stream: Http2Stream } }).carrier.stream;
}

runTunnelClientSuite(t, {
  transport: 'h2',
  serve: async (t, options) => {
    const server = await serve(options, t);
    return { ...server, clientOptions: { pool: server.pool }, openSessions: () => server.pool.sessionCount };
  },
  connect,
  openTunnel,
});

t.test('a tunnel shares the pooled session with WebSockets, holds it, and releases it when it closes', async (t) => {
  const { url, pool } = await serve();
  const websocket = await connect(url, { pool });
  const tunnel = await openTunnel(url, { pool });
  const { seen, nextFrame, finish } = record(tunnel);
  const session = streamOf(tunnel).session as ClientHttp2Session;
  t.equal(streamOf(websocket).session, session, 'one session');
  t.equal(pool.sessionCount, 1);
  const tracked = (pool as unknown as { websockets: SessionWebSockets }).websockets.of(session);
  t.ok(tracked.has(tunnel), 'the tunnel counts for keepalive and the read-stall guard');
  websocket.close(1000);
  await closed(websocket);
  t.equal(pool.sessionCount, 1, 'the tunnel still holds the session');
  t.notOk(session.closed);
  tunnel.write(clientFrame(0x1, Buffer.from('still here')));
  t.same(await nextFrame(), serverText('still here'), 'and works');
  tunnel.write(closeFrame(1000));
  t.same(await nextFrame(), SERVER_CLOSE_1000);
  await finish();
  t.equal(seen.error, undefined);
  t.equal(pool.sessionCount, 0, 'released: the pool dropped the session');
  t.ok(session.closed, 'and closed it (idleTimeout 0)');
  t.equal(tracked.size, 0, 'nothing left to keep alive');
});

t.test('GOAWAY(NO_ERROR) closes the client\'s WebSockets with 1001, but a tunnel carries its far end\'s close', async (t) => {
  const { url, pool, accepted } = await serve();
  const websocket = await connect(url, { pool });
  const tunnel = await openTunnel(url, { pool });
  const { seen, nextFrame, finish } = record(tunnel);
  // GOAWAY from the server's session; node:http2's client answers with its own (RFC 9113 §6.8), so the server, too, closes its WebSockets with 1001.
  streamOf(accepted[0]!).session!.close();
  t.match(await closed(websocket), { code: 1001, wasClean: true });
  const farClose = await nextFrame();
  t.same([farClose[0], farClose.readUInt16BE(2)], [0x88, 1001], 'the server end\'s close frame came through, the tunnel still open');
  t.equal(tunnel.closed, false);
  tunnel.write(closeFrame(1001));
  await finish();
  t.equal(seen.error, undefined, 'a clean end');
});
