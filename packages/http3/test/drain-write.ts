/**
 * A write made inside a 'drain' listener goes out at once: the stream the
 * flush is pushing must not lose the new write (it was queued behind a
 * stream already taken out of the flush's set, and waited for the close).
 */
import t from 'tap';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

t.test('a message sent from a drain listener arrives while the connection stays open', async (t) => {
  const received: string[] = [];
  let arrived!: () => void;
  const after = new Promise<void>((resolve) => (arrived = resolve));
  const server = new WebSocketServer({
    handler: (connection) =>
      connection.on('message', (data, binary) => {
        if (binary) return;
        received.push(data.toString());
        if (data.toString() === 'after drain') arrived();
      }),
  });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const pool = new SessionPool();
  t.teardown(async () => {
    pool.close();
    await server.close();
  });
  const client = await connect(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: devCert.cert }, highWaterMark: 1024 });
  t.notOk(client.send(Buffer.alloc(8 * 1024), { binary: true }), 'above the high-water mark');
  client.once('drain', () => client.send('after drain'));
  const timeout = setTimeout(arrived, 5000);
  await after;
  clearTimeout(timeout);
  t.same(received, ['after drain'], 'the server got it before any close');
  client.close(1000);
});
