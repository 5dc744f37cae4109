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

t.test('a stream the peer stopped and quiche then forgot: its last output is dropped, not kept waiting', async (t) => {
  // The server stops reading the stream (STOP_SENDING): the client's quiche resets its side itself, and once that reset
  // is acknowledged and the server's close frame and FIN are read, it forgets the stream. The client's close frame in
  // answer then has nowhere to go: stream_send answers Done for good.
  const server = new WebSocketServer({
    handler: (connection) =>
      connection.on('message', () => {
        (connection as unknown as { carrier: { stream: { stopReading(code: number): void } } }).carrier.stream.stopReading(0x100);
        setTimeout(() => connection.close(1000), 100);
      }),
  });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: devCert.cert } });
  client.send('stop');
  t.equal(await within(1000, closed(client)), 1000, "closed with the server's code");
  // Its close frame is dropped, not kept waiting for credit that cannot come (which would hold the connection's settling).
  const quic = (client as unknown as { carrier: { host: { quicConnection: { settled(limit: number): Promise<void> } } } }).carrier.host.quicConnection;
  const started = Date.now();
  await quic.settled(5000);
  t.ok(Date.now() - started < 1000, 'nothing is left waiting on the QUIC connection');
});
