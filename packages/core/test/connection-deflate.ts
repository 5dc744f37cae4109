/** The connection with permessage-deflate: order both ways, thresholds, failures, backpressure. */
import t from 'tap';
import { WebSocketConnection, type ConnectionOptions } from '../src/connection.js';
import { type DeflateParams, Opcode, Protocol } from '@wstack/protocol';
import { PerMessageDeflate } from '../src/deflate.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { closed, sleep } from './connection-helpers.js';
import { CLIENT_KEY, hex, rawFrame } from '../../protocol/test/helpers.js';

const FULL: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

function pair(options: { client?: ConnectionOptions; server?: ConnectionOptions } = {}) {
  const [a, b] = createMemoryCarrierPair();
  const negotiated = { deflate: FULL, extensions: 'permessage-deflate' };
  return {
    client: new WebSocketConnection('client', a, negotiated, options.client),
    server: new WebSocketConnection('server', b, negotiated, options.server),
  };
}

/** A server connection with deflate, fed raw client frames through the other carrier. */
function rawServer(options: ConnectionOptions = {}) {
  const [a, b] = createMemoryCarrierPair();
  const out: Buffer[] = [];
  let ended = false;
  // Like a TCP peer, it ends its side when the server ends.
  a.attach({ data: (chunk) => out.push(chunk), end: () => ((ended = true), a.end()), drain: () => undefined, close: () => undefined });
  const server = new WebSocketConnection('server', b, { deflate: FULL }, options);
  return { server, write: (...frames: Buffer[]) => a.write([Buffer.concat(frames)]), out, ended: () => ended, carrier: a };
}

const masked = (opcode: number, payload: Buffer, options: { fin?: boolean; rsv?: number } = {}) => rawFrame(opcode, payload, { ...options, key: CLIENT_KEY });
const HELLO_DEFLATED = hex('f2 48 cd c9 c9 07 00');

t.test('§7.2.3: a compressed "Hello", whole and in two fragments, arrives as "Hello"', async (t) => {
  const { server, write } = rawServer();
  const seen: string[] = [];
  server.on('message', (data) => seen.push(data.toString()));
  const both = new Promise((resolve) => server.on('message', () => seen.length === 2 && resolve(undefined)));
  write(masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 }));
  write(masked(Opcode.TEXT, hex('f2 48 cd'), { rsv: 4, fin: false }), masked(Opcode.CONTINUATION, hex('c9 c9 07 00')));
  await both;
  t.same(seen, ['Hello', 'Hello']);
  server.terminate();
});

t.test('sends go out in order: compressed, uncompressed, control frames and the close', async (t) => {
  const { client, server } = pair({ client: { compression: { threshold: 10 } } });
  const seen: string[] = [];
  server.on('message', (data, binary) => seen.push(`${binary ? 'binary' : 'text'} ${data.length}`));
  server.on('ping', (data) => seen.push(`ping ${data}`));
  server.on('pong', (data) => seen.push(`pong ${data}`));
  client.send('x'.repeat(100000));
  client.send('small');
  client.send(Buffer.alloc(50000, 1), { compress: false });
  client.ping('p');
  client.send(Buffer.alloc(20000, 2));
  client.pong('q');
  const fragments = client.sendFragments({ binary: false });
  fragments.write('frag');
  fragments.end('ments');
  const plain = client.sendFragments({ compress: false });
  plain.end(Buffer.alloc(3));
  client.close(1000, 'done');
  const details = await closed(server);
  t.same(seen, ['text 100000', 'text 5', 'binary 50000', 'ping p', 'binary 20000', 'pong q', 'text 9', 'binary 3']);
  t.same(details, { code: 1000, reason: 'done', wasClean: true });
});

t.test('bufferedAmount counts what waits for compression; send returns false past the mark; drain follows', async (t) => {
  const { client, server } = pair({ client: { highWaterMark: 64 * 1024 } });
  let count = 0;
  server.on('message', () => count++);
  t.equal(client.send(Buffer.alloc(40000, 3)), true);
  t.ok(client.bufferedAmount >= 40000, `${client.bufferedAmount} bytes buffered while compressing`);
  t.equal(client.send(Buffer.alloc(40000, 4)), false, 'past the mark');
  await new Promise((resolve) => client.once('drain', resolve));
  await client.drained();
  client.close();
  await closed(server);
  t.equal(count, 2);
});

t.test('an answer to a message that came with the peer\'s close goes out before the close answer', async (t) => {
  const { server, write, out } = rawServer();
  server.on('message', (data) => server.send(`re: ${data}`));
  write(masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 }), masked(Opcode.CLOSE, hex('03 e8')));
  await closed(server);
  const client = new Protocol({ role: 'client', perMessageDeflate: true });
  for (const chunk of out) client.receiveData(chunk);
  const events = client.eventsReceived();
  t.same(events.map((e) => e.type), ['message', 'close'], 'the reply, then the close');
  const reply = events[0]!;
  t.ok(reply.type === 'message' && !reply.compressed && reply.data.toString() === 're: Hello', 'short replies are not compressed');
});

for (const incoming of ['plain', 'compressed'] as const) {
  t.test(`a reply still being compressed holds the close answer back (${incoming} question)`, async (t) => {
    const { server, write, out } = rawServer({ compression: { threshold: 0 } });
    server.on('message', () => server.send(Buffer.alloc(200000, 5)));
    const question = incoming === 'plain' ? masked(Opcode.TEXT, Buffer.from('question')) : masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 });
    write(question, masked(Opcode.CLOSE, hex('03 e8')));
    await closed(server);
    const client = new Protocol({ role: 'client', perMessageDeflate: true, maxMessageSize: 1 << 20 });
    for (const chunk of out) client.receiveData(chunk);
    const events = client.eventsReceived();
    t.same(events.map((e) => e.type), ['message', 'close']);
    t.ok(events[0]!.type === 'message' && events[0]!.compressed, 'the reply went compressed');
  });
}

t.test('terminate while a send is being compressed', async (t) => {
  const { client, server } = pair();
  let count = 0;
  server.on('message', () => count++);
  client.send(Buffer.alloc(300000, 1));
  client.terminate();
  await closed(server);
  t.equal(count, 0);
  t.throws(() => client.ping(Buffer.alloc(126)), { code: 'INVALID_STATE' });
});

t.test('events behind an inflating message keep their order', async (t) => {
  const { server, write } = rawServer();
  const seen: string[] = [];
  server.on('message', (data) => seen.push(`message ${data}`));
  server.on('ping', () => seen.push('ping'));
  write(
    masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 }),
    masked(Opcode.TEXT, Buffer.from('plain')),
    masked(Opcode.PING, Buffer.alloc(0)),
    masked(Opcode.TEXT, hex('f2 00 11 00 00'), { rsv: 4 }),
    masked(Opcode.TEXT, Buffer.from('last')),
  );
  await sleep(20);
  t.same(seen, ['message Hello', 'message plain', 'ping', 'message Hello', 'message last']);
  server.terminate();
});

t.test('a listener that comes while a held message\'s successor inflates gets everything in order', async (t) => {
  const { server, write } = rawServer();
  const seen: string[] = [];
  write(masked(Opcode.TEXT, Buffer.from('first')), masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 }), masked(Opcode.PING, Buffer.alloc(0)));
  await new Promise(setImmediate); // the frames are in: 'first' is held, 'Hello' inflating
  // Added before the inflation is done: the held message goes out at once, the rest after the inflation.
  server.on('message', (data) => seen.push(`message ${data}`));
  server.on('ping', () => seen.push('ping'));
  await sleep(20);
  t.same(seen, ['message first', 'message Hello', 'ping']);
  server.terminate();
});

t.test('the iterator takes inflated messages in order; pings pass the messages waiting for it', async (t) => {
  const { server, write } = rawServer();
  const pings: number[] = [];
  const messages = server[Symbol.asyncIterator]();
  server.on('ping', () => pings.push(Date.now()));
  write(masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 }), masked(Opcode.TEXT, Buffer.from('plain')), masked(Opcode.PING, Buffer.alloc(0)));
  await sleep(20);
  t.equal(pings.length, 1, 'the ping was handled though no message was taken');
  t.equal((await messages.next()).value?.data.toString(), 'Hello');
  t.equal((await messages.next()).value?.data.toString(), 'plain');
  server.terminate();
});

t.test('inflation failures fail the connection with the right code', async (t) => {
  const cases: [string, Buffer, number, string][] = [
    ['not DEFLATE', hex('ff ff ff ff'), 1007, 'INVALID_COMPRESSED_DATA'],
    ['inflates to invalid UTF-8', hex('fa 0f 00'), 1007, 'INVALID_UTF8'],
    ['inflates past the limit', Buffer.concat([hex('ea'), Buffer.alloc(0)]), 1009, 'MESSAGE_TOO_LARGE'],
  ];
  // Inflates to 600 zero bytes, past a 100-byte limit.
  const zeros = await new PerMessageDeflate(FULL, 'client').compress(Buffer.alloc(600), true);
  cases[2]![1] = zeros;
  // "\xff" as text: one invalid byte.
  cases[1]![1] = await new PerMessageDeflate(FULL, 'client').compress(Buffer.from([0xff]), true);
  for (const [name, payload, closeCode, code] of cases) {
    const { server, write, out } = rawServer({ maxMessageSize: 100 });
    write(masked(Opcode.TEXT, payload, { rsv: 4 }), masked(Opcode.TEXT, Buffer.from('after')));
    let messages = 0;
    server.on('message', () => messages++);
    const details = await closed(server);
    t.match(details.error, { code }, name);
    t.equal(messages, 0, `${name}: nothing after it is delivered`);
    const peer = new Protocol({ role: 'client', perMessageDeflate: true });
    for (const chunk of out) peer.receiveData(chunk);
    t.same(peer.eventsReceived().at(-1), { type: 'close', code: closeCode, reason: '' }, `${name}: ${closeCode} goes out`);
  }
});

t.test('a slow inflation pauses reading once the queue behind it is full, and resumes after', async (t) => {
  const { server, write } = rawServer({ highWaterMark: 10 });
  const big = await new PerMessageDeflate(FULL, 'client').compress(Buffer.alloc(16 * 1024 * 1024), true);
  const carrier = (server as unknown as { carrier: { pause(): void; resume(): void } }).carrier;
  const calls: string[] = [];
  const pause = carrier.pause.bind(carrier);
  const resume = carrier.resume.bind(carrier);
  carrier.pause = () => (calls.push('pause'), pause());
  carrier.resume = () => (calls.push('resume'), resume());
  const seen: number[] = [];
  server.on('message', (data) => seen.push(data.length));
  write(masked(Opcode.BINARY, big, { rsv: 4 }), ...Array.from({ length: 5 }, () => masked(Opcode.TEXT, Buffer.from('0123456789'))));
  await new Promise((resolve) => server.on('message', () => seen.length === 6 && resolve(undefined)));
  t.same(seen, [16 * 1024 * 1024, 10, 10, 10, 10, 10], 'everything arrived, in order');
  t.same(calls, ['pause', 'resume'], 'reading paused behind the inflation, then resumed');
  server.terminate();
});

t.test('the carrier closing during inflation: the messages come first, then the close', async (t) => {
  const { server, write, carrier } = rawServer();
  // 16 MiB takes milliseconds to inflate: the close surely comes meanwhile.
  const big = await new PerMessageDeflate(FULL, 'client').compress(Buffer.alloc(16 * 1024 * 1024), true);
  const seen: string[] = [];
  server.on('message', (data) => seen.push(`${data.length}`));
  server.on('close', () => seen.push('close'));
  write(masked(Opcode.BINARY, big, { rsv: 4 }), masked(Opcode.TEXT, Buffer.from('x')));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  carrier.abort();
  await closed(server);
  t.same(seen, [`${16 * 1024 * 1024}`, '1', 'close']);
});

t.test('terminate during inflation drops what waits', async (t) => {
  const { server, write } = rawServer();
  // 16 MiB takes milliseconds to inflate: the terminate surely comes meanwhile.
  const big = await new PerMessageDeflate(FULL, 'client').compress(Buffer.alloc(16 * 1024 * 1024), true);
  let count = 0;
  server.on('message', () => count++);
  write(masked(Opcode.BINARY, big, { rsv: 4 }), masked(Opcode.TEXT, Buffer.from('x')));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  server.terminate();
  await closed(server);
  t.equal(count, 0);
});

t.test('a compression failure aborts the connection with its error', async (t) => {
  const { client, server } = pair();
  const original = PerMessageDeflate.prototype.compress;
  PerMessageDeflate.prototype.compress = () => Promise.reject(new Error('zlib broke'));
  t.teardown(() => {
    PerMessageDeflate.prototype.compress = original;
  });
  client.send(Buffer.alloc(5000));
  client.send('queued behind it');
  const details = await closed(client);
  t.match(details.error, { message: 'zlib broke' });
  await closed(server);
});

t.test('a compressed message finished after the close started is dropped, not sent into a closed stream', async (t) => {
  const { client, server } = pair();
  let count = 0;
  server.on('message', () => count++);
  client.send(Buffer.alloc(300000, 9));
  (client as unknown as { engine: Protocol }).engine.close(1000);
  const details = await closed(server);
  t.equal(details.code, 1000);
  t.equal(count, 0);
  const fragmented = pair();
  const writer = fragmented.client.sendFragments();
  writer.write(Buffer.alloc(300000, 1));
  (fragmented.client as unknown as { engine: Protocol }).engine.close(1000);
  await closed(fragmented.server);
});

t.test('one fragmented message at a time', async (t) => {
  const { client } = pair();
  const writer = client.sendFragments();
  t.throws(() => client.send('x'), { code: 'INVALID_STATE' });
  t.throws(() => client.sendFragments(), { code: 'INVALID_STATE' });
  writer.end();
  client.send('now it may');
  client.terminate();
});

t.test('terminate in a handler stops delivery of what waited behind an inflation', async (t) => {
  const { server, write } = rawServer();
  const seen: string[] = [];
  server.on('message', (data) => {
    seen.push(data.toString());
    if (data.toString() === 'a') server.terminate();
  });
  write(masked(Opcode.TEXT, HELLO_DEFLATED, { rsv: 4 }), masked(Opcode.TEXT, Buffer.from('a')), masked(Opcode.TEXT, Buffer.from('b')));
  await closed(server);
  t.same(seen, ['Hello', 'a']);
});

t.test('a reply still being compressed goes out before the close of a failure', async (t) => {
  const { server, write, out } = rawServer({ compression: { threshold: 0 } });
  server.on('message', () => server.send(Buffer.alloc(100000, 6)));
  write(masked(Opcode.TEXT, Buffer.from('question')), masked(Opcode.TEXT, Buffer.from('bad'), { rsv: 2 }));
  const details = await closed(server);
  t.match(details.error, { code: 'RSV_NOT_NEGOTIATED' });
  const client = new Protocol({ role: 'client', perMessageDeflate: true, maxMessageSize: 1 << 20 });
  for (const chunk of out) client.receiveData(chunk);
  const events = client.eventsReceived();
  t.same(events.map((e) => e.type), ['message', 'close']);
  t.match(events[1], { code: 1002 });
});
