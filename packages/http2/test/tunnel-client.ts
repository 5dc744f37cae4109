/**
 * openTunnel over HTTP/2: the handshake of connect, then the WebSocket's raw
 * frames both ways (RFC 6455 §5, RFC 8441 §5), on the pool's sessions.
 */
import t from 'tap';
import type { ClientHttp2Session, Http2Stream } from 'node:http2';
import { HandshakeError, type Tunnel, type UpgradeRequest, type WebSocketConnection } from '@wstack/core';
import { clientFrame, closed, closeFrame, echo, record, SERVER_CLOSE_1000, serverText } from '@wstack/testkit';
import { connect, openTunnel, SessionPool, WebSocketServer, type Http2ServerOptions } from '../src/index.js';
import type { SessionWebSockets } from '../src/session-websockets.js';

async function serve(options: Http2ServerOptions = {}) {
  const requests: UpgradeRequest[] = [];
  const accepted: WebSocketConnection[] = [];
  const server = new WebSocketServer({
    ...options,
    handler: (connection, request) => {
      requests.push(request);
      accepted.push(connection);
      echo(connection);
    },
  });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  return { url: `ws://127.0.0.1:${port}`, requests, accepted, pool };
}

/** The HTTP/2 stream under a WebSocket or tunnel (their carrier's). */
function streamOf(opened: WebSocketConnection | Tunnel): Http2Stream {
  return (opened as unknown as { carrier: { stream: Http2Stream } }).carrier.stream;
}


t.test('a tunnel: the negotiated terms, and a masked text frame echoed as the server frames it', async (t) => {
  const { url, pool } = await serve({ protocols: ['chat'] });
  const tunnel = await openTunnel(`${url}/tunnel?x=1`, { protocols: ['superchat', 'chat'], pool });
  const { nextFrame } = record(tunnel);
  t.equal(tunnel.transport, 'h2');
  t.equal(tunnel.path, '/tunnel?x=1');
  t.equal(tunnel.protocol, 'chat');
  t.equal(tunnel.extensions, '');
  t.equal(tunnel.headers[':status'], 200, 'the answer\'s fields');
  tunnel.write(clientFrame(0x1, Buffer.from('hello')));
  t.same(await nextFrame(), serverText('hello'), 'unmasked, FIN and text, byte for byte');
  tunnel.abort();
});

t.test('the extension offer goes out verbatim and the answer is taken unchecked', async (t) => {
  const { url, requests, pool } = await serve({ perMessageDeflate: true });
  const offer = 'permessage-deflate; client_max_window_bits';
  const deflate = await openTunnel(url, { extensions: offer, pool });
  t.equal(requests[0]?.headers['sec-websocket-extensions'], offer, 'sent as given');
  t.match(deflate.extensions, /^permessage-deflate\b/, 'the server accepted it');
  t.equal(deflate.extensions, deflate.headers['sec-websocket-extensions'], 'the answer, as it came');
  deflate.abort();
  const bogus = await openTunnel(url, { extensions: 'x-unknown', perMessageDeflate: true, pool });
  t.equal(requests[1]?.headers['sec-websocket-extensions'], 'x-unknown', 'perMessageDeflate does not change the offer');
  t.equal(bogus.extensions, '', 'not answered');
  bogus.abort();
  const none = await openTunnel(url, { perMessageDeflate: true, pool });
  t.equal(requests[2]?.headers['sec-websocket-extensions'], undefined, 'no offer without `extensions`');
  none.abort();
});

t.test('a close frame written by hand: the server answers it and ends; end() then closes cleanly', async (t) => {
  const { url, pool } = await serve();
  const tunnel = await openTunnel(url, { pool });
  const { seen, nextFrame, finish } = record(tunnel);
  tunnel.write(closeFrame(1000));
  t.same(await nextFrame(), SERVER_CLOSE_1000, 'the server\'s close frame');
  await finish();
  t.equal(seen.error, undefined, 'closed without error');
  t.equal(tunnel.closed, true);
});

t.test('a refused handshake fails openTunnel as it fails connect', async (t) => {
  const { url, pool } = await serve({ authenticate: () => false });
  const failure = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'opened',
      (error: HandshakeError) => ({ class: error.constructor, name: error.name, code: error.code, status: error.status, message: error.message }),
    );
  const viaConnect = await failure(connect(url, { pool }));
  t.match(viaConnect, { class: HandshakeError, code: 'UNEXPECTED_STATUS', status: 403 });
  t.same(await failure(openTunnel(url, { pool })), viaConnect);
  t.equal(pool.sessionCount, 0, 'both gave the session back');
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
