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

/** Counts the socket's calls to the system (one per _write or _writev). */
function countWrites(socket: Socket): () => number {
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
  return () => calls;
}

t.test('the first write of a tick leaves at once, the rest of the tick together, in order', async (t) => {
  const [socket, peer] = await socketPair(t);
  const carrier = new SocketCarrier(socket, undefined, 1024);
  carrier.attach(quiet);
  const calls = countWrites(socket);
  const received: Buffer[] = [];
  peer.on('data', (chunk: Buffer) => received.push(chunk));
  t.equal(carrier.write([Buffer.from('one ')]), true);
  t.equal(calls(), 1, 'the first write went out at once');
  t.equal(carrier.write([Buffer.from('two '), Buffer.from('three ')]), true);
  t.equal(carrier.write([Buffer.from('four')]), true);
  t.equal(calls(), 1, 'the later ones wait for the end of the tick');
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(calls(), 2, 'and then leave in one call');
  while (Buffer.concat(received).length < 18) await once(peer, 'data');
  t.equal(Buffer.concat(received).toString(), 'one two three four');
  // The next tick starts afresh; a frame in two pieces leaves in one call even first.
  carrier.write([Buffer.from('!'), Buffer.from('?')]);
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(calls(), 3);
});

t.test('many carriers writing in one tick: each first write at once, each rest in one call', async (t) => {
  const pairs = await Promise.all([socketPair(t), socketPair(t), socketPair(t)]);
  const carriers = pairs.map(([socket]) => {
    const carrier = new SocketCarrier(socket, undefined, 1024);
    carrier.attach(quiet);
    return { carrier, calls: countWrites(socket) };
  });
  for (const { carrier } of carriers) carrier.write([Buffer.from('a')]);
  for (const { carrier } of carriers) carrier.write([Buffer.from('b')]);
  for (const { carrier } of carriers) carrier.write([Buffer.from('c')]);
  await new Promise((resolve) => setImmediate(resolve));
  t.same(carriers.map(({ calls }) => calls()), [2, 2, 2]);
  const texts = await Promise.all(pairs.map(async ([, peer]) => {
    let text = '';
    while (text.length < 3) text += ((await once(peer, 'data')) as [Buffer])[0].toString();
    return text;
  }));
  t.same(texts, ['abc', 'abc', 'abc']);
});

t.test('past the high-water mark a write says so, and drain follows', async (t) => {
  const [socket, peer] = await socketPair(t);
  const carrier = new SocketCarrier(socket, undefined, 16);
  let drained = 0;
  carrier.attach({ ...quiet, drain: () => drained++ });
  // The peer does not read: the kernel's buffers fill, then the socket's own.
  peer.pause();
  let accepted = 0;
  while (carrier.write([Buffer.alloc(64 * 1024)])) {
    accepted++;
    if (accepted === 4096) break;
  }
  t.ok(accepted < 4096, `a write said no after ${accepted} of 64 KiB`);
  t.ok(carrier.bufferedAmount >= socket.writableHighWaterMark, 'the socket holds at least its high-water mark');
  peer.resume();
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
