import t from 'tap';
import type { Carrier, CarrierEvents } from '../src/carrier.js';
import { WebSocketConnection } from '../src/connection.js';
import { toBuffer } from '../src/send-data.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { Protocol, Opcode } from '@wstack/protocol';
import { closed, nextMessage, pair, sleep, tick } from './connection-helpers.js';
import { clientFrame } from '../../protocol/test/helpers.js';

t.test('what the transport negotiated is visible; defaults otherwise', async (t) => {
  const { client, server } = pair({ carrier: { transport: 'h2' } });
  t.equal(client.protocol, 'chat');
  t.equal(client.path, '/p');
  t.equal(client.transport, 'h2');
  t.equal(server.protocol, '');
  t.equal(server.extensions, '');
  t.equal(server.path, '');
  t.equal(WebSocketConnection.OPEN, 1);
  t.equal(WebSocketConnection.CONNECTING, 0);
  t.equal(WebSocketConnection.CLOSING, 2);
  t.equal(WebSocketConnection.CLOSED, 3);
  client.terminate();
});

t.test('send takes strings and every kind of bytes; binary can be forced either way', async (t) => {
  const { client, server } = pair();
  const got: [string, boolean][] = [];
  server.on('message', (data, binary) => got.push([data.toString(), binary]));
  const bytes = Buffer.from('abcdef');
  client.send('text');
  client.send(bytes);
  client.send(new Uint8Array(bytes.buffer, bytes.byteOffset + 1, 2));
  client.send(new Uint8Array([0x78]).buffer);
  client.send('as bytes', { binary: true });
  client.send(Buffer.from('as text'), { binary: false });
  client.send(new DataView(bytes.buffer, bytes.byteOffset, 1));
  client.close();
  await closed(server);
  t.same(got, [['text', false], ['abcdef', true], ['bc', true], ['x', true], ['as bytes', true], ['as text', false], ['a', true]]);
});

t.test('toBuffer never copies a Buffer or a view', async (t) => {
  const bytes = Buffer.from('xyz');
  t.equal(toBuffer(bytes), bytes);
  t.equal(toBuffer(new Uint8Array(bytes.buffer, bytes.byteOffset, 3)).buffer, bytes.buffer);
});

t.test('fragments, text and binary', async (t) => {
  const { client, server } = pair();
  const writer = client.sendFragments({ binary: false });
  t.equal(writer.binary, false);
  writer.write('a');
  writer.end('b');
  t.same(await nextMessage(server), [Buffer.from('ab'), false]);
  const binary = client.sendFragments();
  binary.write(Buffer.from([1]));
  binary.end();
  t.same(await nextMessage(server), [Buffer.from([1]), true]);
  const late = client.sendFragments();
  client.close();
  t.throws(() => late.write('x'), { code: 'INVALID_STATE' });
  t.throws(() => client.sendFragments(), { code: 'INVALID_STATE' });
});

t.test('ping and pong take strings, bytes or nothing', async (t) => {
  const { client, server } = pair({ server: { autoPong: false } });
  const pings: string[] = [];
  server.on('ping', (data) => pings.push(data.toString()));
  client.ping();
  client.ping('s');
  client.ping(new Uint8Array([0x62]));
  const pongs: string[] = [];
  client.on('pong', (data) => pongs.push(data.toString()));
  server.pong();
  server.pong('p');
  server.pong(new Uint8Array([0x71]).buffer);
  await sleep(5);
  t.same(pings, ['', 's', 'b']);
  t.same(pongs, ['', 'p', 'q']);
  client.terminate();
});

t.test('backpressure: send returns false, drain and drained() follow', async (t) => {
  const { client, server } = pair({ client: { highWaterMark: 1024 }, carrier: { highWaterMark: 1024 } });
  await client.drained();
  t.pass('drained() resolves at once when nothing is buffered');
  server.pause();
  t.equal(client.send(Buffer.alloc(2048)), false);
  t.ok(client.bufferedAmount >= 2048);
  const drainEvent = new Promise((resolve) => client.once('drain', resolve));
  const drained = client.drained();
  server.resume();
  await drainEvent;
  await drained;
  t.equal(client.send('small'), true);
  server.pause();
  client.send(Buffer.alloc(4096));
  const waiting = client.drained();
  client.terminate();
  await waiting;
  t.pass('drained() resolves when the connection closes instead');
  await client.drained();
});

t.test('close on a closed connection still checks its arguments', async (t) => {
  const { client, server } = pair();
  client.close(1000);
  await closed(client);
  await closed(server);
  t.throws(() => client.close(999), { code: 'INVALID_ARGUMENT' });
  client.close(1000);
  t.throws(() => client.send('x'), { message: /CLOSED/ });
});

t.test('errors are events only when someone listens; the close details always carry them', async (t) => {
  for (const listening of [true, false]) {
    const { client, server } = pair({ server: { maxMessageSize: 1 } });
    const errors: Error[] = [];
    if (listening) server.on('error', (error) => errors.push(error));
    client.send('too long');
    const details = await closed(server);
    t.match(details.error, { code: 'FRAME_TOO_LARGE' });
    t.equal(errors.length, listening ? 1 : 0);
    t.equal((await closed(client)).code, 1009);
  }
});

t.test('a carrier error ends the connection as not clean and is reported', async (t) => {
  const { client, server } = pair();
  const cause = new Error('boom');
  (client as unknown as { carrier: { abort(e: Error): void } }).carrier.abort(cause);
  const [atClient, atServer] = await Promise.all([closed(client), closed(server)]);
  t.equal(atClient.error, cause);
  t.match(atServer.error, { code: 'ECONNRESET' });
  t.equal(atServer.code, 1006);
});

t.test('the peer ending its stream without a close frame is 1006', async (t) => {
  const { client, server } = pair();
  (client as unknown as { carrier: { end(): void } }).carrier.end();
  const details = await closed(server);
  t.same({ code: details.code, wasClean: details.wasClean }, { code: 1006, wasClean: false });
});

t.test('messages behind a terminate are not delivered', async (t) => {
  const { client, server } = pair();
  let count = 0;
  server.on('message', () => {
    count++;
    server.terminate();
  });
  client.send('1');
  client.send('2');
  await closed(server);
  t.equal(count, 1);
});

t.test('async iteration: queueing, pausing, failure, early exit', async (t) => {
  t.test('a queue above the high-water mark pauses the carrier until consumed', async (t) => {
    const { client, server } = pair({ server: { highWaterMark: 10 } });
    const iterator = server[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) client.send('0123456789');
    await sleep(10);
    const first = await iterator.next();
    t.equal(first.value?.data.toString(), '0123456789');
    for (let i = 0; i < 4; i++) await iterator.next();
    client.close();
    t.same(await iterator.next(), { value: undefined, done: true });
    t.same(await iterator.next(), { value: undefined, done: true }, 'stays done');
  });

  t.test('a waiting next() gets the next message, then the end', async (t) => {
    const { client, server } = pair();
    const iterator = server[Symbol.asyncIterator]();
    const pending = iterator.next();
    client.send('later');
    t.equal((await pending).value?.data.toString(), 'later');
    const end = iterator.next();
    client.close();
    t.same(await end, { value: undefined, done: true });
  });

  t.test('a failed connection makes the loop throw, once', async (t) => {
    const { client, server } = pair({ server: { maxMessageSize: 2 } });
    const iterator = server[Symbol.asyncIterator]();
    const pending = iterator.next();
    client.send('xyz');
    await t.rejects(pending, { code: 'FRAME_TOO_LARGE' });
    t.same(await iterator.next(), { value: undefined, done: true });
  });

  t.test('an iterator made after the close ends at once', async (t) => {
    const { client, server } = pair();
    client.close();
    await closed(server);
    t.same(await server[Symbol.asyncIterator]().next(), { value: undefined, done: true });
  });

  t.test('return() while paused resumes reading and closes with 1000', async (t) => {
    const { client, server } = pair({ server: { highWaterMark: 1 } });
    const iterator = server[Symbol.asyncIterator]();
    client.send('a');
    client.send('b');
    await sleep(5);
    await iterator.return!();
    t.equal((await closed(client)).code, 1000);
    t.same(await iterator.next(), { value: undefined, done: true });
    await iterator.return!();
  });

  t.test('messages after return() are not queued', async (t) => {
    const { client, server } = pair();
    const iterator = server[Symbol.asyncIterator]();
    client.send('x');
    await iterator.return!();
    await sleep(5);
    t.same(await iterator.next(), { value: undefined, done: true });
    await closed(client);
  });
});

t.test('keepalive: a quiet peer is pinged, a silent one aborted', async (t) => {
  const { client, server } = pair({ server: { pingInterval: 10, pongTimeout: 30 } });
  let pings = 0;
  client.on('ping', () => pings++);
  await sleep(100);
  t.ok(pings >= 2, `${pings} pings`);
  client.pause();
  const details = await closed(server);
  t.match(details.error, { name: 'TimeoutError', code: 'PONG_TIMEOUT' });
  t.equal(details.code, 1006);
});

t.test('keepalive stays quiet while the peer talks, and the pong timeout defaults to the interval', async (t) => {
  // Four intervals long, with a message every 10 ms: a stall of 200 ms would be needed for a ping.
  const { client, server } = pair({ server: { pingInterval: 200 } });
  let pings = 0;
  client.on('ping', () => pings++);
  const chatter = setInterval(() => client.send('hi'), 10);
  await sleep(800);
  clearInterval(chatter);
  t.equal(pings, 0, 'no ping while messages arrive');
  client.close();
  await closed(server);
});

t.test('keepalive does not ping a closing connection', async (t) => {
  const { client, server } = pair({ server: { pingInterval: 10, closeTimeout: 60 } });
  client.pause();
  server.close();
  const details = await closed(server);
  t.match(details.error, { code: /^(CLOSE|PONG)_TIMEOUT$/ });
});

t.test('idle timeout closes with 1001; messages in either direction keep it open', async (t) => {
  const { client, server } = pair({ server: { idleTimeout: 400 } });
  client.on('message', () => undefined);
  for (let i = 0; i < 6; i++) {
    server.send('keep');
    await sleep(100);
  }
  t.equal(server.readyState, 1);
  const fragments = server.sendFragments();
  fragments.end('x');
  const details = await closed(client);
  t.same(details, { code: 1001, reason: 'idle timeout', wasClean: true });
});

t.test('the close timeout aborts a peer that does not answer', async (t) => {
  const { client, server } = pair({ client: { closeTimeout: 20 } });
  server.pause();
  client.close(1000);
  const details = await closed(client);
  t.match(details.error, { name: 'TimeoutError', code: 'CLOSE_TIMEOUT' });
  t.equal(details.wasClean, false);
  await tick();
});

t.test('over a carrier that ends after the close frame, both sides end cleanly', async (t) => {
  const { client, server } = pair({ carrier: { endsAfterCloseFrame: true } });
  server.close(1000, 'done');
  const [atClient, atServer] = await Promise.all([closed(client), closed(server)]);
  t.same(atClient, { code: 1000, reason: 'done', wasClean: true });
  t.same(atServer, { code: 1000, reason: '', wasClean: true });
});

t.test('a fragmented message ends once', async (t) => {
  const { client, server } = pair();
  const writer = client.sendFragments();
  writer.end('done');
  t.throws(() => writer.end(), { code: 'INVALID_STATE' });
  t.same(await nextMessage(server), [Buffer.from('done'), true]);
  client.terminate();
});

t.test('terminate stops delivery at once, even of frames in the same chunk', async (t) => {
  const [a, b] = createMemoryCarrierPair();
  const server = new WebSocketConnection('server', b);
  a.attach({ data: () => undefined, end: () => undefined, drain: () => undefined, close: () => undefined });
  const sender = new Protocol({ role: 'client' });
  sender.sendText('1');
  sender.sendText('2');
  a.write([Buffer.concat(sender.dataToSend())]);
  const seen: string[] = [];
  server.on('message', (data) => {
    seen.push(data.toString());
    server.terminate();
    t.equal(server.readyState, 2, 'CLOSING until the carrier is gone');
    server.close(1000);
    t.throws(() => server.close(1), { code: 'INVALID_ARGUMENT' });
  });
  const details = await closed(server);
  t.same(seen, ['1']);
  t.equal(details.code, 1006);
  server.terminate();
});

t.test('the connection is robust to a carrier that repeats itself', async (t) => {
  let events!: CarrierEvents;
  const written: Buffer[] = [];
  const carrier: Carrier = {
    transport: 'h3',
    endsAfterCloseFrame: true,
    bufferedAmount: 0,
    attach: (e) => (events = e),
    write: (chunks) => (written.push(...chunks), true),
    end: () => undefined,
    abort: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  };
  const connection = new WebSocketConnection('server', carrier);
  let drains = 0;
  connection.on('drain', () => drains++);
  events.drain();
  t.equal(drains, 0, 'a drain nobody waited for is not passed on');
  let closes = 0;
  connection.on('close', () => closes++);
  events.close();
  events.close();
  t.equal(closes, 1, 'one close event');
  t.throws(() => connection[Symbol.asyncIterator]() && connection[Symbol.asyncIterator](), { code: 'INVALID_STATE' });
});

t.test('the idle timer counts received messages too', async (t) => {
  const { client, server } = pair({ server: { idleTimeout: 400 } });
  for (let i = 0; i < 5; i++) {
    client.send('keep');
    await sleep(100);
  }
  t.equal(server.readyState, 1);
  client.close();
  await closed(server);
});

t.test('messages that arrive before anyone listens are held, then delivered in order', async (t) => {
  t.test('to the first message listener, with backpressure meanwhile', async (t) => {
    const { client, server } = pair({ server: { highWaterMark: 8 } });
    for (let i = 0; i < 4; i++) client.send(`message ${i}`);
    await sleep(10);
    server.on('error', () => undefined);
    await sleep(5);
    const seen: string[] = [];
    server.on('message', (data) => seen.push(data.toString()));
    server.on('message', () => undefined);
    t.same(seen, [], 'released after the listener is in place, not during on()');
    await sleep(10);
    t.same(seen, ['message 0', 'message 1', 'message 2', 'message 3']);
    client.send('after');
    await sleep(5);
    t.equal(seen.at(-1), 'after');
    client.close();
    await closed(server);
  });

  t.test('to an iterator, before the end', async (t) => {
    // Below the high-water mark reading goes on, so the close arrives too.
    const { client, server } = pair();
    client.send('one');
    client.send('two');
    client.close();
    await closed(server);
    const seen: string[] = [];
    for await (const message of server) seen.push(message.data.toString());
    t.same(seen, ['one', 'two']);
  });

  t.test('an iterator takes over held messages and resumes reading', async (t) => {
    const { client, server } = pair({ server: { highWaterMark: 4 } });
    client.send('12345');
    client.send('6');
    await sleep(10);
    const iterator = server[Symbol.asyncIterator]();
    t.equal((await iterator.next()).value?.data.toString(), '12345');
    t.equal((await iterator.next()).value?.data.toString(), '6');
    client.close();
    t.equal((await iterator.next()).done, true);
  });

  t.test('terminate during the release stops it', async (t) => {
    const { client, server } = pair();
    client.send('a');
    client.send('b');
    await sleep(10);
    const seen: string[] = [];
    server.on('message', (data) => {
      seen.push(data.toString());
      server.terminate();
    });
    await closed(server);
    t.same(seen, ['a']);
  });
});

t.test('control payloads are checked when ping or pong is called', async (t) => {
  const { client } = pair();
  t.throws(() => client.ping(Buffer.alloc(126)), { code: 'INVALID_ARGUMENT' });
  t.throws(() => client.pong('é'.repeat(63)), { code: 'INVALID_ARGUMENT' });
  client.ping(Buffer.alloc(125));
  client.terminate();
});

t.test('Autobahn 7.1.6: echoes of every message that came with the close go out before the close answer', async (t) => {
  const [a, b] = createMemoryCarrierPair();
  const out: Buffer[] = [];
  a.attach({ data: (chunk) => out.push(chunk), end: () => a.end(), drain: () => undefined, close: () => undefined });
  const server = new WebSocketConnection('server', b);
  server.on('message', (data, binary) => server.send(data, { binary }));
  const sender = new Protocol({ role: 'client' });
  sender.sendText('x'.repeat(1000));
  sender.sendText('Hello World!');
  sender.close(1000);
  // A ping after the close, as Autobahn sends it: to be ignored.
  a.write([Buffer.concat([...sender.dataToSend(), clientFrame(Opcode.PING, '')])]);
  await closed(server);
  const peer = new Protocol({ role: 'client' });
  for (const chunk of out) peer.receiveData(chunk);
  t.same(
    peer.eventsReceived().map((e) => (e.type === 'message' ? e.data.length : e.type)),
    [1000, 12, 'close'],
  );
});

t.test('a close behind held messages goes through after a turn; the messages wait for a late listener', async (t) => {
  const { client, server } = pair();
  client.send('kept');
  client.close(1000);
  const details = await closed(server);
  t.equal(details.code, 1000, 'the close went through although nobody listened');
  const late = await nextMessage(server);
  t.equal(late[0].toString(), 'kept', 'and the message still reaches a listener added after the close');
});

t.test('a listener that arrives before the turn ends takes everything in order', async (t) => {
  const [a, b] = createMemoryCarrierPair();
  a.attach({ data: () => undefined, end: () => a.end(), drain: () => undefined, close: () => undefined });
  const server = new WebSocketConnection('server', b);
  const sender = new Protocol({ role: 'client' });
  sender.sendText('first');
  sender.ping('p');
  sender.close(1000);
  a.write([Buffer.concat(sender.dataToSend())]);
  await new Promise((resolve) => setImmediate(resolve));
  const seen: string[] = [];
  server.on('ping', () => seen.push('ping'));
  server.on('message', (data) => seen.push(data.toString()));
  server.on('close', () => seen.push('close'));
  await closed(server);
  t.same(seen, ['first', 'ping', 'close'], 'the ping waited behind the held message');
});

t.test("the peer's handshake fields, when the transport gave them", async (t) => {
  const [a, b] = createMemoryCarrierPair();
  const client = new WebSocketConnection('client', a, { headers: { 'alt-svc': 'h3=":443"' } });
  const server = new WebSocketConnection('server', b);
  t.same(client.headers, { 'alt-svc': 'h3=":443"' });
  t.same(server.headers, {});
  client.terminate();
  server.terminate();
});

t.test('closing reads on to the peer\'s close though held messages paused reading', async (t) => {
  const { client, server } = pair({ server: { highWaterMark: 64, closeTimeout: 60_000 } });
  for (let i = 0; i < 50; i++) client.send(`message ${i} that nobody reads`);
  await sleep(20);
  server.close(1000, 'done');
  // The client answers once it reads the close; the server must read past the held messages to see that answer.
  const details = await closed(server);
  t.same([details.code, details.wasClean], [1000, true], 'a clean close, not the close timeout');
  const seen: string[] = [];
  server.on('message', (data) => seen.push(data.toString()));
  await sleep(10);
  t.equal(seen.length, 50, 'and every held message is still there for a late listener');
});
