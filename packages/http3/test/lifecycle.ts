/** What a QUIC connection does to its WebSockets, and the client's handshake rules. */
import t, { type Test } from 'tap';
import { HandshakeError } from '@wstack/protocol';
import type { WebSocketConnection } from '@wstack/core';
import { closed } from '@wstack/testkit';
import { connect, H3ErrorCode, SessionPool, WebSocketServer, type Http3ServerOptions } from '../src/index.js';
import type { Http3Connection } from '../src/h3-connection.js';
import { serverConfig } from '../src/quic/config.js';
import { ServerEndpoint } from '../src/quic/server-endpoint.js';
import { quicSettings } from '../src/tuning.js';
import { devCert, refuseRequests } from './h3-transport.js';
import { rawClient } from './raw-quiche-client.js';
import { RequestStreamDecoder, encodeHeaders } from '../src/h3/request-stream.js';
import { Http3Session } from '../src/h3/session.js';

async function serve(t: Test, options: Http3ServerOptions = {}) {
  const accepted: WebSocketConnection[] = [];
  const server = new WebSocketServer({ ...options, handler: (connection) => accepted.push(connection) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const sessions = (server as unknown as { sessions: Set<Http3Connection> }).sessions;
  return { server, port, accepted, sessions, url: `wss://127.0.0.1:${port}` };
}

function pool(t: Test, options = {}): SessionPool {
  const made = new SessionPool(options);
  t.teardown(() => made.close());
  return made;
}

t.test('many WebSockets share one QUIC connection', async (t) => {
  const { url, sessions, accepted } = await serve(t);
  const shared = pool(t);
  const clients = await Promise.all([1, 2, 3].map((i) => connect(`${url}/${i}`, { pool: shared, tls: { ca: devCert.cert } })));
  t.equal(shared.sessionCount, 1, 'one QUIC connection in the pool');
  t.equal(sessions.size, 1, 'one QUIC connection at the server');
  t.equal(accepted.length, 3);
  for (const client of clients) client.close(1000);
  await Promise.all(clients.map((client) => closed(client)));
});

t.test('a QUIC connection that closes fails its WebSockets with 1006', async (t) => {
  const { url, sessions, accepted } = await serve(t);
  const client = await connect(url, { pool: pool(t), tls: { ca: devCert.cert } });
  await new Promise((resolve) => setImmediate(resolve));
  for (const session of sessions) void session.close(H3ErrorCode.H3_INTERNAL_ERROR, 'test');
  const [atClient, atServer] = await Promise.all([closed(client), closed(accepted[0]!)]);
  t.equal(atClient.code, 1006);
  t.equal(atClient.wasClean, false);
  t.equal(atServer.code, 1006);
});

t.test('an idle timeout fails the WebSockets with 1006', async (t) => {
  const tuning = { maxIdleTimeout: 800, keepAliveInterval: 0 };
  const { url, accepted } = await serve(t, tuning);
  const client = await connect(url, { pool: pool(t, tuning), tls: { ca: devCert.cert } });
  const [atClient, atServer] = await Promise.all([closed(client), closed(accepted[0]!)]);
  t.equal(atClient.code, 1006, 'client');
  t.equal(atServer.code, 1006, 'server');
});

t.test('a GOAWAY takes no new WebSockets and leaves the open ones running (RFC 9114 §5.2); the next WebSocket opens a new connection', async (t) => {
  const { url, sessions, accepted } = await serve(t);
  const shared = pool(t);
  const client = await connect(url, { pool: shared, tls: { ca: devCert.cert } });
  for (const session of sessions) session.goaway();
  // The GOAWAY retires the pooled connection once it arrives.
  for (let waited = 0; shared.hasSession(new URL(url), { ca: devCert.cert }) && waited < 5000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  t.notOk(shared.hasSession(new URL(url), { ca: devCert.cert }), 'the pool retired the connection');
  const next = await connect(url, { pool: shared, tls: { ca: devCert.cert } });
  t.equal(sessions.size, 2, 'a new connection after GOAWAY');
  const arrived = new Promise<string>((resolve) => accepted[0]!.once('message', (data) => resolve(data.toString())));
  client.send('still here');
  t.equal(await arrived, 'still here', 'the WebSocket opened before the GOAWAY goes on');
  for (const open of [client, next]) open.close(1000);
  t.same(await Promise.all([closed(client), closed(next)]).then((all) => all.map(({ code }) => code)), [1000, 1000]);
});

t.test('a WebSocket refused unprocessed (H3_REQUEST_REJECTED) goes to the next connection, more than once', async (t) => {
  const { server, url, accepted } = await serve(t);
  const refusing = refuseRequests(server, 3);
  const client = await connect(url, { pool: pool(t), tls: { ca: devCert.cert } });
  t.equal(accepted.length, 1, 'accepted');
  t.equal(refusing.made, 4, 'on the fourth connection');
  client.close(1000);
  await closed(client);
});

t.test('a WebSocket every connection refuses unprocessed fails after 4 connections', async (t) => {
  const { server, url } = await serve(t);
  const refusing = refuseRequests(server, Infinity);
  await t.rejects(connect(url, { pool: pool(t), tls: { ca: devCert.cert } }), { code: 'UNEXPECTED_STATUS', message: /0x10b/ });
  t.equal(refusing.made, 4, 'offered to 4 connections');
});

t.test('refusals arrive as HTTP statuses', async (t) => {
  const { port } = await (async () => {
    const server = new WebSocketServer({ routes: { '/here': () => undefined } });
    const address = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
    t.teardown(() => server.close());
    return address;
  })();
  const shared = pool(t);
  const error = await connect(`wss://127.0.0.1:${port}/elsewhere`, { pool: shared, tls: { ca: devCert.cert } }).catch((e: unknown) => e);
  t.type(error, HandshakeError);
  t.match(error, { code: 'UNEXPECTED_STATUS', status: 404 });
  await t.rejects(connect(`ws://127.0.0.1:${port}/here`, { pool: shared }), { code: 'NOT_SUPPORTED' }, 'ws:// has no HTTP/3');
});

t.test('no CONNECT unless the server\'s SETTINGS enabled it (RFC 9220 §3)', async (t) => {
  // A bare HTTP/3 server on the QUIC driver whose SETTINGS frame is empty.
  const settings = quicSettings({ maxIdleTimeout: 5000 });
  let requestStreams = 0;
  const endpoint = new ServerEndpoint({
    config: serverConfig(settings, { certChain: devCert.cert, key: devCert.key }),
    maxDatagramSize: settings.maxUdpPayloadSize,
    keepAliveInterval: 0,
    udpBufferSize: 0,
    onConnection(connection) {
      connection.openStream('uni').write(Buffer.from([0x00, 0x04, 0x00]));
      connection.on('stream', (stream) => {
        if ((stream.id & 0x2) === 0) requestStreams++;
      });
    },
  });
  const { port } = await endpoint.listen('127.0.0.1', 0);
  t.teardown(() => endpoint.close());
  await t.rejects(connect(`wss://127.0.0.1:${port}/`, { pool: pool(t), tls: { ca: devCert.cert } }), { code: 'NOT_SUPPORTED' });
  t.equal(requestStreams, 0, 'no request stream was opened');
});

t.test('server.close(): the WebSockets close with 1001, cleanly', async (t) => {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const client = await connect(`wss://127.0.0.1:${port}/`, { pool: pool(t), tls: { ca: devCert.cert } });
  const [atClient] = await Promise.all([closed(client), server.close()]);
  t.same(atClient, { code: 1001, reason: 'server shutting down', wasClean: true });
});

t.test('ordinary requests: 405 by default, or the request listener\'s answer', async (t) => {
  const get = async (request?: Parameters<WebSocketServer['listen']>[0]['request']) => {
    const server = new WebSocketServer({ handler: () => undefined, altSvc: 'h3=":443"' });
    const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key }, ...(request ? { request } : {}) });
    const raw = await rawClient(port, (conn) => {
      conn.streamSend(2, new Http3Session({ role: 'client' }).localStreams().control, false);
      conn.streamSend(0, encodeHeaders([[':method', 'GET'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/page']]), true);
    });
    await new Promise<void>((resolve) => {
      raw.onReceive = () => raw.finished.has(0) && resolve();
    });
    await raw.close();
    await server.close();
    const decoder = new RequestStreamDecoder({ role: 'client', requestMethod: 'GET', maxFieldSectionSize: 65536 });
    const events = decoder.receive(raw.received.get(0)!, true);
    const response = events.find((event) => event.type === 'response');
    const body = Buffer.concat(events.flatMap((event) => (event.type === 'data' ? [event.data] : []))).toString();
    return { head: response?.type === 'response' ? response.head : undefined, body, ended: events.at(-1)?.type === 'end' };
  };
  const refused = await get();
  t.equal(refused.head?.status, 405);
  t.ok(refused.head?.fields.some(([name, value]) => name === 'allow' && value === 'CONNECT'));
  t.notOk(refused.head?.fields.some(([name]) => name === 'alt-svc'), 'no alt-svc on the default answer');
  t.ok(refused.ended);
  const served = await get((request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(`you asked for ${request.method} ${request.url} over ${request.httpVersion}`);
  });
  t.equal(served.head?.status, 200);
  t.ok(served.head?.fields.some(([name, value]) => name === 'alt-svc' && value === 'h3=":443"'), "alt-svc on the request listener's answers");
  t.equal(served.body, 'you asked for GET /page over 3.0');
  t.ok(served.ended);
});
