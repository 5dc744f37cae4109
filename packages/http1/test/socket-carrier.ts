import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import t from 'tap';
import type { CarrierEvents } from '@wstack/core';
import { SocketCarrier } from '../src/socket-carrier.js';

/** A connected pair of sockets on loopback. */
async function socketPair(t: { teardown(fn: () => void): void }): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [Socket];
  await once(client, 'connect');
  t.teardown(() => {
    client.destroy();
    accepted.destroy();
    server.close();
  });
  return [accepted, client];
}

const quiet: CarrierEvents = { data: () => {}, end: () => {}, drain: () => {}, close: () => {} };

t.test('writes made in one tick leave together, in order, in one system call', async (t) => {
  const [socket, peer] = await socketPair(t);
  const carrier = new SocketCarrier(socket, undefined, 1024);
  carrier.attach(quiet);
  let calls = 0;
  const writev = socket._writev!.bind(socket);
  const write = socket._write.bind(socket);
  socket._writev = (chunks, callback) => {
    calls++;
    writev(chunks, callback);
  };
  socket._write = (chunk, encoding, callback) => {
    calls++;
    write(chunk, encoding, callback);
  };
  const received: Buffer[] = [];
  peer.on('data', (chunk: Buffer) => received.push(chunk));
  t.equal(carrier.write([Buffer.from('one ')]), true);
  t.equal(carrier.write([Buffer.from('two '), Buffer.from('three ')]), true);
  t.equal(carrier.write([Buffer.from('four')]), true);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(calls, 1, 'one write for the whole tick');
  while (Buffer.concat(received).length < 18) await once(peer, 'data');
  t.equal(Buffer.concat(received).toString(), 'one two three four');
  // The next tick corks afresh.
  carrier.write([Buffer.from('!')]);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(calls, 2);
});

t.test('past the high-water mark a write says so, and drain follows', async (t) => {
  const [socket] = await socketPair(t);
  const carrier = new SocketCarrier(socket, undefined, 16);
  let drained = 0;
  carrier.attach({ ...quiet, drain: () => drained++ });
  t.equal(carrier.write([Buffer.alloc(socket.writableHighWaterMark + 1)]), false);
  await once(socket, 'drain');
  t.equal(drained, 1);
});

t.test('nothing is written once the socket is gone', async (t) => {
  const [socket] = await socketPair(t);
  const carrier = new SocketCarrier(socket, undefined, 16);
  carrier.attach(quiet);
  socket.destroy();
  t.equal(carrier.write([Buffer.from('late')]), false);
});

t.test('a socket error is what the close reports', async (t) => {
  const [socket] = await socketPair(t);
  const carrier = new SocketCarrier(socket, undefined, 16);
  const closed = new Promise<Error | undefined>((resolve) => carrier.attach({ ...quiet, close: resolve }));
  const failure = new Error('connection reset');
  socket.destroy(failure);
  t.equal(await closed, failure);
});
