/**
 * A shared QUIC connection out of stream credit (RFC 9000 §4.6: the server
 * allows `maxStreams` request streams at once) takes no more WebSockets;
 * the next one gets a new connection instead of failing (the former QUIC
 * layer could never open a stream again after one limit error, README
 * defect E).
 */
import t from 'tap';
import { closed } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

t.test('the third WebSocket of a server allowing two streams rides a second connection', async (t) => {
  const server = new WebSocketServer({ maxStreams: 2, handler: (connection) => connection.on('message', (data, binary) => connection.send(data, { binary })) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const pool = new SessionPool();
  t.teardown(async () => {
    pool.close();
    await server.close();
  });
  const url = `wss://127.0.0.1:${port}/`;
  const sockets = [];
  for (let i = 0; i < 3; i++) sockets.push(await connect(url, { pool, tls: { ca: devCert.cert } }));
  t.equal(server.sessionCount, 2, 'two QUIC connections: two streams on the first, one on the second');
  for (const [i, socket] of sockets.entries()) {
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
    socket.send(`socket ${i}`);
    t.equal(await reply, `socket ${i}`);
  }
  const ends = sockets.map((socket) => closed(socket));
  for (const socket of sockets) socket.close(1000);
  for (const end of await Promise.all(ends)) t.match(end, { code: 1000, wasClean: true });
});
