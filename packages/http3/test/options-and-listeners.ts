/** As on the other transports: options checked by name, and a 'connection' listener alone takes WebSockets (404 with none). */
import t from 'tap';
import { HandshakeError } from '@wstack/protocol';
import { nextMessage } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

t.test('an unknown option is a TypeError naming it; port and tls say where they go', async (t) => {
  t.throws(() => new WebSocketServer({ prot: 1 } as never), new TypeError('unknown option prot for the http3 WebSocketServer; did you mean protocols?'));
  t.throws(() => new WebSocketServer({ port: 8443 } as never), /^unknown option port for the http3 WebSocketServer: the http3 WebSocketServer does not listen by itself: call listen\(\{ port, tls \}\)/);
  t.throws(() => new WebSocketServer({ tls: {} } as never), /^unknown option tls for the http3 WebSocketServer: give it to listen\(\{ tls \}\)/);
  t.doesNotThrow(() => new WebSocketServer({ maxIdleTimeout: 1000, udpBufferSize: 0, retry: false, maxFieldSectionSize: 1024, maxHeaderCount: 10, altSvc: 'x' }));
  t.ok(WebSocketServer.optionNames.has('retry'));
  t.notOk(WebSocketServer.optionNames.has('streamWindowSize'), "HTTP/2's tuning is not HTTP/3's");
  await t.rejects(connect('wss://127.0.0.1:9/', { ca: 'x' } as never), new TypeError('unknown option ca for the http3 connect: put it in tls: { ca }'));
});

t.test("a 'connection' listener alone takes every WebSocket; with none, 404", async (t) => {
  const server = new WebSocketServer();
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const url = `wss://127.0.0.1:${port}/anywhere`;
  const refused = await connect(url, { tls: { ca: devCert.cert }, pool }).catch((error: unknown) => error);
  t.ok(refused instanceof HandshakeError);
  t.equal((refused as HandshakeError).status, 404);
  server.on('connection', (connection, request) => connection.send(`hello ${request.path}`));
  const client = await connect(url, { tls: { ca: devCert.cert }, pool });
  t.equal((await nextMessage(client)).data.toString(), 'hello /anywhere');
});
