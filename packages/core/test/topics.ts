/** Topics: subscribe, unsubscribe, publish framed once, and the slow-receiver policy. */
import t from 'tap';
import { WebSocketConnection } from '../src/connection.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { PreparedMessage } from '../src/prepared-message.js';
import { Topics } from '../src/topics.js';
import { closed, nextMessage } from './connection-helpers.js';

function members(topics: Topics, count: number) {
  return Array.from({ length: count }, () => {
    const [a, b] = createMemoryCarrierPair();
    return { client: new WebSocketConnection('client', a), server: new WebSocketConnection('server', b, undefined, { topics }) };
  });
}

function terminateAll(pairs: { client: WebSocketConnection; server: WebSocketConnection }[]) {
  for (const { client, server } of pairs) {
    client.terminate();
    server.terminate();
  }
}

t.test('subscribe and unsubscribe: membership, counts, and a closed connection leaves every topic', async (t) => {
  const topics = new Topics();
  const pairs = members(topics, 2);
  const [one, two] = pairs.map(({ server }) => server) as [WebSocketConnection, WebSocketConnection];
  t.equal(one.subscribe('news'), true);
  t.equal(one.subscribe('news'), false, 'already a member');
  t.equal(one.subscribe('sport'), true);
  t.equal(two.subscribe('news'), true);
  t.same(one.subscriptions, ['news', 'sport']);
  t.equal(topics.subscriberCount('news'), 2);
  t.same(topics.topics, ['news', 'sport']);
  t.equal(one.unsubscribe('sport'), true);
  t.equal(one.unsubscribe('sport'), false, 'no longer a member');
  t.equal(new WebSocketConnection('server', createMemoryCarrierPair()[0], undefined, { topics }).unsubscribe('news'), false, 'never subscribed');
  t.same(topics.topics, ['news'], 'an empty topic is gone');
  one.close();
  await closed(one);
  t.same(one.subscriptions, []);
  t.equal(topics.subscriberCount('news'), 1);
  t.equal(one.subscribe('news'), false, 'a closed connection joins nothing');
  t.equal(topics.subscriberCount('sport'), 0);
  terminateAll(pairs);
  await Promise.all(pairs.map(({ server }) => closed(server)));
  t.same(topics.topics, []);
});

t.test('publish sends to every open subscriber but the excepted one, text or binary, framed once', async (t) => {
  const topics = new Topics();
  const pairs = members(topics, 3);
  for (const { server } of pairs) server.subscribe('room');
  const arrivals = pairs.map(({ client }) => nextMessage(client));
  t.same(topics.publish('room', 'hello'), { sent: 3, skipped: 0, closed: 0 });
  for (const [data, binary] of await Promise.all(arrivals)) t.same([data.toString(), binary], ['hello', false]);
  const later = pairs.slice(1).map(({ client }) => nextMessage(client));
  t.same(topics.publish('room', 'as bytes', { binary: true, except: pairs[0]!.server }), { sent: 2, skipped: 0, closed: 0 });
  for (const [data, binary] of await Promise.all(later)) t.same([data.toString(), binary], ['as bytes', true]);
  const prepared = new PreparedMessage(Buffer.from([1, 2, 3]));
  const third = pairs.map(({ client }) => nextMessage(client));
  t.same(topics.publish('room', prepared, { compress: false }).sent, 3);
  for (const [data] of await Promise.all(third)) t.same(data, Buffer.from([1, 2, 3]));
  pairs[2]!.server.close();
  t.same(topics.publish('room', 'not to the closing one').sent, 2, 'a closing member is passed over');
  t.same(topics.publish('nobody', 'x'), { sent: 0, skipped: 0, closed: 0 });
  terminateAll(pairs);
});

t.test('a slow subscriber misses the message by default', async (t) => {
  const topics = new Topics({ maxBufferedAmount: 1000 });
  const pairs = members(topics, 2);
  for (const { server } of pairs) server.subscribe('feed');
  const [slow, fast] = pairs as [(typeof pairs)[0], (typeof pairs)[0]];
  const backlog = nextMessage(slow.client);
  slow.server.send(Buffer.alloc(100_000));
  t.ok(slow.server.bufferedAmount > 1000);
  const received: string[] = [];
  slow.client.on('message', (data, binary) => binary || received.push(data.toString()));
  const atFast = nextMessage(fast.client);
  t.same(topics.publish('feed', 'tick'), { sent: 1, skipped: 1, closed: 0 });
  t.equal((await atFast)[0].toString(), 'tick');
  t.equal(slow.server.readyState, 1, 'still open');
  await backlog;
  t.equal(slow.server.bufferedAmount, 0);
  const next = nextMessage(slow.client);
  t.same(topics.publish('feed', 'tock').sent, 2, 'once drained it gets messages again');
  t.equal((await next)[0].toString(), 'tock');
  t.same(received, ['tock']);
  terminateAll(pairs);
});

t.test("with 'close', a slow subscriber is closed with 1008", async (t) => {
  const topics = new Topics({ maxBufferedAmount: 0, slowReceivers: 'close' });
  const [slow] = members(topics, 1) as [{ client: WebSocketConnection; server: WebSocketConnection }];
  slow.server.subscribe('feed');
  slow.server.send('anything buffered is too much here');
  t.same(topics.publish('feed', 'tick'), { sent: 0, skipped: 0, closed: 1 });
  t.match(await closed(slow.client), { code: 1008, reason: 'too slow: messages backed up' });
});

t.test('bad options and a connection without topics', async (t) => {
  t.throws(() => new Topics({ maxBufferedAmount: -1 }), RangeError);
  t.throws(() => new Topics({ maxBufferedAmount: Number.NaN }), RangeError);
  t.throws(() => new Topics({ slowReceivers: 'drop' as 'skip' }), RangeError);
  const loner = new WebSocketConnection('server', createMemoryCarrierPair()[0]);
  t.throws(() => loner.subscribe('x'), { name: 'UsageError', code: 'INVALID_STATE' });
  t.throws(() => loner.unsubscribe('x'), { name: 'UsageError', code: 'INVALID_STATE' });
  t.same(loner.subscriptions, []);
  loner.terminate();
});
