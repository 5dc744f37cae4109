/**
 * openTunnel over HTTP/3: the handshake of connect, then the WebSocket's raw
 * frames both ways (RFC 6455 §5, RFC 9220 §3), on the pool's connections.
 */
import t from 'tap';
import { once } from 'node:events';
import { HandshakeError, type Tunnel, type UpgradeRequest, type WebSocketConnection } from '@wstack/core';
import { clientFrame, closed, closeFrame, echo, record, SERVER_CLOSE_1000, serverText } from '@wstack/testkit';
import { connect, openTunnel, SessionPool, WebSocketServer, type Http3ServerOptions } from '../src/index.js';
import type { Http3Connection } from '../src/h3-connection.js';
import { devCert } from './h3-transport.js';

const tls = { ca: devCert.cert };

async function serve(options: Http3ServerOptions = {}) {
  const requests: UpgradeRequest[] = [];
  const server = new WebSocketServer({
    ...options,
    handler: (connection, request) => {
      requests.push(request);
      echo(connection);
    },
  });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const sessions = (server as unknown as { sessions: Set<Http3Connection> }).sessions;
  return { url: `wss://127.0.0.1:${port}`, requests, pool, sessions };
}

/** The client's QUIC connection under a WebSocket or tunnel (their carrier's host). */
function connectionOf(opened: WebSocketConnection | Tunnel): Http3Connection {
  return (opened as unknown as { carrier: { host: Http3Connection } }).carrier.host;
}


t.test('a tunnel: the negotiated terms, and a masked text frame echoed as the server frames it', async (t) => {
  const { url, pool } = await serve({ protocols: ['chat'] });
  const tunnel = await openTunnel(`${url}/tunnel?x=1`, { protocols: ['superchat', 'chat'], pool, tls });
  const { nextFrame } = record(tunnel);
  t.equal(tunnel.transport, 'h3');
  t.equal(tunnel.path, '/tunnel?x=1');
  t.equal(tunnel.protocol, 'chat');
  t.equal(tunnel.extensions, '');
  t.equal(tunnel.headers['sec-websocket-protocol'], 'chat', 'the answer\'s fields');
  tunnel.write(clientFrame(0x1, Buffer.from('hello')));
  t.same(await nextFrame(), serverText('hello'), 'unmasked, FIN and text, byte for byte');
  tunnel.abort();
});

t.test('the extension offer goes out verbatim and the answer is taken unchecked', async (t) => {
  const { url, requests, pool } = await serve({ perMessageDeflate: true });
  const offer = 'permessage-deflate; client_max_window_bits';
  const deflate = await openTunnel(url, { extensions: offer, pool, tls });
  t.equal(requests[0]?.headers['sec-websocket-extensions'], offer, 'sent as given');
  t.match(deflate.extensions, /^permessage-deflate\b/, 'the server accepted it');
  t.equal(deflate.extensions, deflate.headers['sec-websocket-extensions'], 'the answer, as it came');
  deflate.abort();
  const bogus = await openTunnel(url, { extensions: 'x-unknown', perMessageDeflate: true, pool, tls });
  t.equal(requests[1]?.headers['sec-websocket-extensions'], 'x-unknown', 'perMessageDeflate does not change the offer');
  t.equal(bogus.extensions, '', 'not answered');
  bogus.abort();
  const none = await openTunnel(url, { perMessageDeflate: true, pool, tls });
  t.equal(requests[2]?.headers['sec-websocket-extensions'], undefined, 'no offer without `extensions`');
  none.abort();
});

t.test('a close frame written by hand: the server answers it and ends; end() then closes cleanly', async (t) => {
  const { url, pool } = await serve();
  const tunnel = await openTunnel(url, { pool, tls });
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
  const viaConnect = await failure(connect(url, { pool, tls }));
  t.match(viaConnect, { class: HandshakeError, code: 'UNEXPECTED_STATUS', status: 403 });
  t.same(await failure(openTunnel(url, { pool, tls })), viaConnect);
  t.equal(pool.sessionCount, 0, 'both gave the connection back');
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

t.test('GOAWAY closes the client\'s WebSockets with 1001 and leaves its tunnels to their far end', async (t) => {
  const { url, pool, sessions } = await serve();
  const websocket = await connect(url, { pool, tls });
  const tunnel = await openTunnel(url, { pool, tls });
  const { seen, nextFrame, finish } = record(tunnel);
  for (const session of sessions) session.goaway();
  t.match(await closed(websocket), { code: 1001, wasClean: true });
  t.equal(tunnel.closed, false);
  // The far end (the server's WebSocket) saw no close: it still echoes, and the stream still runs (RFC 9114 §5.2).
  tunnel.write(clientFrame(0x1, Buffer.from('after GOAWAY')));
  t.same(await nextFrame(), serverText('after GOAWAY'), 'nothing but the echo came through');
  tunnel.write(closeFrame(1000));
  t.same(await nextFrame(), SERVER_CLOSE_1000);
  await finish();
  t.equal(seen.error, undefined, 'a clean end');
});
