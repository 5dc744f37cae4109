/**
 * quiche 0.18 keeps the connection-level credit (RFC 9000 §4.1) of the data
 * a stream announced when its sender reset it before we read it all: enough
 * such resets stall every stream of the connection. A connection whose peer
 * reset `resetBudget` streams mid-way, or that received `receiveBudget`
 * bytes, takes no new WebSockets (the server sends GOAWAY, the client's pool
 * retires it) and its open ones go on.
 * It also keeps the credit of data it held when we stopped reading a stream
 * ourselves: the driver reads that data out and drops it first. And it keeps
 * the credit of data it held when a RESET_STREAM arrived, so the driver reads
 * each datagram's data before quiche takes the next one.
 */
import t, { type Test } from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { WebSocketConnection } from '@wstack/core';
import { closed, nextMessage } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer, type Http3Tuning } from '../src/index.js';
import { quicSettings } from '../src/tuning.js';
import { devCert } from './h3-transport.js';

// Small windows, so that a few resets would use up the connection's credit: 40 × 64 KiB is 2.5 × the 1 MiB window.
const tuning = { connectionWindow: 1024 * 1024, streamWindow: 256 * 1024 };
const RESETS = 40;
const CHUNK = 64 * 1024;
const tls = { ca: devCert.cert };

t.equal(quicSettings(tuning).resetBudget, 2, 'half the connection window, a stream window per reset');
t.equal(quicSettings({}).resetBudget, 8, 'by default: 16 MiB, 1 MiB');

/** A server with the small windows, and a pool that keeps its connections. */
async function serve(t: Test, handler: (connection: WebSocketConnection) => void, more: Http3Tuning = {}) {
  const server = new WebSocketServer({ ...tuning, ...more, handler });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const pool = new SessionPool({ ...tuning, idleTimeout: Infinity });
  t.teardown(() => pool.close());
  return { server, pool, url: `wss://127.0.0.1:${port}/` };
}

async function echoes(connection: WebSocketConnection, text: string): Promise<string> {
  const answer = nextMessage(connection);
  connection.send(text);
  return Promise.race([answer.then(({ data }) => data.toString()), new Promise<string>((resolve) => setTimeout(() => resolve('no echo within 5 s'), 5000))]);
}

t.test("a client's resets mid-message: the server retires the connection, the open WebSockets go on", async (t) => {
  const { server, pool, url } = await serve(t, (connection) => connection.on('message', (data, binary) => binary || connection.send(data)));
  const kept = await connect(url, { pool, tls });
  for (let i = 0; i < RESETS; i++) {
    const doomed = await connect(url, { pool, tls, handshakeTimeout: 5000 });
    doomed.send(Buffer.alloc(CHUNK, 1));
    doomed.terminate();
    await closed(doomed);
  }
  t.equal(await echoes(kept, 'still here'), 'still here', 'the WebSocket opened first still echoes');
  const fresh = await connect(url, { pool, tls, handshakeTimeout: 5000 });
  t.equal(await echoes(fresh, 'new'), 'new', 'a new WebSocket opens and echoes');
  t.ok(server.sessionCount >= 2, 'on a new connection');
  for (const open of [kept, fresh]) open.close();
});

t.test("a server's resets mid-message: the client's pool retires the connection, the open WebSockets go on", async (t) => {
  const { pool, url } = await serve(t, (connection) =>
    connection.on('message', (data) => {
      if (data.toString() !== 'reset me') return connection.send(data);
      connection.send(Buffer.alloc(4 * CHUNK, 2));
      // A turn later, when quiche has taken the message: reset in the middle of it.
      setImmediate(() => connection.terminate());
    }),
  );
  const kept = await connect(url, { pool, tls });
  for (let i = 0; i < RESETS; i++) {
    const doomed = await connect(url, { pool, tls, handshakeTimeout: 5000 });
    doomed.on('message', () => undefined);
    doomed.send('reset me');
    await closed(doomed);
  }
  t.equal(await echoes(kept, 'still here'), 'still here', 'the WebSocket opened first still echoes');
  const fresh = await connect(url, { pool, tls, handshakeTimeout: 5000 });
  t.equal(await echoes(fresh, 'new'), 'new');
  for (const open of [kept, fresh]) open.close();
});

t.test('a connection that received a quarter of its initial credit takes no new WebSockets; the open ones go on', async (t) => {
  const { server, pool, url } = await serve(t, (connection) => connection.on('message', (data) => connection.send(data)));
  t.equal(quicSettings(tuning).receiveBudget, 256 * 1024, 'a quarter of the 1 MiB window');
  const kept = await connect(url, { pool, tls });
  const echoed = nextMessage(kept);
  kept.send(Buffer.alloc(300 * 1024, 1));
  t.equal((await echoed).data.length, 300 * 1024);
  // The server received 300 KiB: it sends GOAWAY, and the client's pool retires the connection.
  const fresh = await connect(url, { pool, tls, handshakeTimeout: 5000 });
  t.equal(server.sessionCount, 2, 'the next WebSocket opened a new connection');
  t.equal(await echoes(kept, 'still here'), 'still here', 'the WebSocket on the retired connection goes on');
  t.equal(await echoes(fresh, 'new'), 'new');
  for (const open of [kept, fresh]) open.close();
});

/**
 * A client pool whose own reset and receive budgets are far away, so that it keeps one connection and the server's
 * credit is what is tested: `count` WebSockets each get a 1-byte message and then `rest`, and end; afterwards 200 KiB must still
 * cross both ways on a WebSocket opened first.
 */
async function creditAfter(t: Test, url: string, count: number, rest: (connection: WebSocketConnection) => Promise<void>): Promise<number> {
  const pool = new SessionPool({ connectionWindow: 64 * 1024 * 1024, streamWindow: 64 * 1024, idleTimeout: Infinity });
  t.teardown(() => pool.close());
  const kept = await connect(url, { pool, tls });
  for (let i = 0; i < count; i++) {
    const ended = await connect(url, { pool, tls, handshakeTimeout: 5000 });
    ended.send(Buffer.alloc(1));
    await rest(ended);
    await closed(ended);
  }
  const big = nextMessage(kept);
  kept.send(Buffer.alloc(200 * 1024, 3));
  const length = (await big).data.length;
  kept.close();
  return length;
}

/** The server's connection takes new WebSockets however much it received: what it keeps of its credit is what these tests see. */
const oneConnection: Http3Tuning = { receiveBudget: Infinity };

t.test('a server that stops reading WebSockets whose client goes on sending keeps its connection credit', async (t) => {
  // The server ends each WebSocket at its first message (RESET_STREAM and STOP_SENDING) while the client still sends 256 KiB after it.
  const { server, url } = await serve(t, (connection) => connection.on('message', (data) => (data.length === 1 ? connection.terminate() : connection.send(data))), oneConnection);
  const length = await creditAfter(t, url, RESETS, async (connection) => {
    for (let j = 0; j < 4; j++) connection.send(Buffer.alloc(CHUNK, 1));
  });
  t.equal(server.sessionCount, 1, 'every WebSocket on one connection');
  t.equal(length, 200 * 1024, 'after 40 × 256 KiB sent into stopped streams (10 × the 1 MiB window), 200 KiB still cross both ways');
});

t.test('a WebSocket ended while quiche holds data it has not read yet: the connection keeps its credit', async (t) => {
  // The server's reading pauses at a 1-byte message, as an event loop that stalls would; 200 KiB then arrive and wait in
  // quiche, and the server ends the WebSocket without reading them (terminate: STOP_SENDING and RESET_STREAM).
  const { server, url } = await serve(
    t,
    (connection) =>
      connection.on('message', (data) => {
        if (data.length !== 1) return connection.send(data);
        connection.pause();
        setTimeout(() => connection.terminate(), 300);
      }),
    oneConnection,
  );
  const length = await creditAfter(t, url, 10, async (connection) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    connection.send(Buffer.alloc(200 * 1024, 1));
  });
  t.equal(server.sessionCount, 1, 'all on one connection');
  t.equal(length, 200 * 1024, 'after 10 × 200 KiB left unread (twice the 1 MiB window), 200 KiB still cross both ways');
});

/** A relay between client and server that, while holding, keeps the client's datagrams and then hands them over in one burst. */
async function batchingRelay(t: Test, serverPort: number) {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  t.teardown(() => socket.close());
  let client: { address: string; port: number } | undefined;
  let held: Buffer[] | undefined;
  socket.on('message', (message, from) => {
    if (from.port === serverPort) return client && socket.send(message, client.port, client.address);
    client = { address: from.address, port: from.port };
    if (held) held.push(message);
    else socket.send(message, serverPort, '127.0.0.1');
  });
  return {
    port: socket.address().port,
    hold: () => void (held = []),
    release: () => {
      const burst = held ?? [];
      held = undefined;
      for (const message of burst) socket.send(message, serverPort, '127.0.0.1');
    },
  };
}

t.test("a client's data and its RESET_STREAM read by the server in one turn: the connection keeps its credit", async (t) => {
  // After the initial credit, quiche 0.18 grants a connection window that starts at 48 KiB and grows to 1.5 × the largest
  // stream window (here at most 16 × 16 KiB), and only while it grants any: it stalls for good once more than half of
  // that is kept. 40 rounds would keep 16 KiB each if the server read its datagrams only at the end of the turn. The
  // reset budget (128) keeps them on one connection, and so does an endless receive budget.
  const tuning = { connectionWindow: 4 * 1024 * 1024, streamWindow: 16 * 1024, receiveBudget: Infinity };
  const server = new WebSocketServer({ ...tuning, handler: (connection) => connection.on('message', (data) => connection.send(data)) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const relay = await batchingRelay(t, port);
  const pool = new SessionPool({ ...tuning, idleTimeout: Infinity });
  t.teardown(() => pool.close());
  const url = `wss://127.0.0.1:${relay.port}/`;
  const kept = await connect(url, { pool, tls });
  for (let i = 0; i < 40; i++) {
    const doomed = await connect(url, { pool, tls, handshakeTimeout: 5000 });
    relay.hold();
    doomed.send(Buffer.alloc(16 * 1024, 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
    doomed.terminate();
    await new Promise((resolve) => setTimeout(resolve, 20));
    relay.release();
    await closed(doomed);
  }
  // Past the 4 MiB initial window: what crosses now needs MAX_DATA from the server.
  const big = nextMessage(kept);
  kept.send(Buffer.alloc(5 * 1024 * 1024, 3));
  const length = await Promise.race([big.then(({ data }) => data.length), new Promise<number>((resolve) => setTimeout(() => resolve(0), 5000))]);
  t.equal(server.sessionCount, 1, 'all on one connection');
  t.equal(length, 5 * 1024 * 1024, 'after 40 resets read in the turn of their data, 5 MiB still cross both ways');
  kept.close();
  await closed(kept);
});
