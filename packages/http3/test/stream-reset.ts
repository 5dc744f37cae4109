/** A reset reaches the peer at once, and a peer's reset reaches a WebSocket that paused reading. */
import t, { type Test } from 'tap';
import { closed } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

async function serverThatTerminates(t: Test) {
  // A message, then (once it has all left) the WebSocket is terminated: RESET_STREAM and STOP_SENDING with nothing else to send.
  const server = new WebSocketServer({
    handler: (connection) =>
      connection.on('message', () => {
        connection.send(Buffer.alloc(100_000, 1));
        setTimeout(() => connection.terminate(), 50);
      }),
  });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  return connect(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: devCert.cert } });
}

const within = (ms: number, promise: Promise<{ code: number }>) =>
  Promise.race([promise.then(({ code }) => code), new Promise<string>((resolve) => setTimeout(() => resolve(`still open after ${ms} ms`), ms))]);

t.test('a terminate leaves at once, though nothing else is sent (no wait for the next keepalive)', async (t) => {
  const client = await serverThatTerminates(t);
  client.on('message', () => undefined);
  client.send('go');
  t.equal(await within(2000, closed(client)), 1006);
});

t.test("a paused WebSocket hears of its peer's reset", async (t) => {
  const client = await serverThatTerminates(t);
  client.pause();
  client.send('go');
  t.equal(await within(2000, closed(client)), 1006);
});
