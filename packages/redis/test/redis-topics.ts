/** @wstack/redis against a real redis-server: delivery across nodes, what a publish promises, outages. */
import t from 'tap';
import { createClient } from '@redis/client';
import { hasRedis, inbox, RedisServer, requirePeer, until } from '@wstack/testkit';
import { PreparedMessage } from '@wstack/core';
import { redisTopics } from '../src/index.js';
import { startNode, stopNode, subscriber } from './helpers/nodes.js';

if (requirePeer(t, 'redis-server', hasRedis(), 'apt-get install redis-server')) {
  const redis = await RedisServer.start();
  t.teardown(() => redis.close());

  t.test('a publish on one node reaches the subscribers of every node, in order, text and bytes as sent', async (t) => {
    const [a, b] = await Promise.all([startNode({ url: redis.url }), startNode({ url: redis.url })]);
    t.teardown(async () => Promise.all([stopNode(a), stopNode(b)]));
    const onA = await subscriber(a, 'news');
    const onB = await subscriber(b, 'news');
    const elsewhere = await subscriber(b, 'sport');
    const [gotA, gotB, gotElsewhere] = [inbox(onA), inbox(onB), inbox(elsewhere)];
    const receipts = [];
    for (let i = 0; i < 50; i++) receipts.push(a.publish('news', `n${i}`));
    receipts.push(a.publish('news', Buffer.from([0, 255])));
    receipts.push(b.publish('news', new PreparedMessage('prepared')));
    receipts.push(b.publish('news', new Uint8Array([1, 2]), { binary: false, compress: false }));
    const ids = (await Promise.all(receipts)).map((receipt) => receipt.id);
    t.match(ids[0], /^\d+-\d+$/, 'a receipt carries the stream entry id');
    const expected = [...Array.from({ length: 50 }, (_, i) => `n${i}`), 'bytes:00ff', 'prepared', '\x01\x02'];
    await until(() => gotA.length === expected.length && gotB.length === expected.length, 'every message on both nodes', 5000);
    t.same(gotA, expected);
    t.same(gotB, expected);
    t.same(gotElsewhere, [], 'another topic gets nothing');
    t.equal(b.topics.subscriberCount('news'), 1, 'counts are per node');
  });

  t.test('except leaves out one subscriber of the publishing node; unsubscribe and close stop delivery on every node', async (t) => {
    const [a, b] = await Promise.all([startNode({ url: redis.url }), startNode({ url: redis.url })]);
    t.teardown(async () => Promise.all([stopNode(a), stopNode(b)]));
    const sender = await subscriber(a, 'room');
    const [gotSender, other, far] = [inbox(sender), await subscriber(a, 'room'), await subscriber(b, 'room')];
    const [gotOther, gotFar] = [inbox(other), inbox(far)];
    const senderOnServer = [...a.connections].find((connection) => a.topics.subscriptions(connection).includes('room'))!;
    await a.publish('room', 'hello', { except: senderOnServer });
    await until(() => gotOther.length === 1 && gotFar.length === 1);
    t.equal(gotSender.length, 0, 'the excepted subscriber did not get it');
    far.send('unsub room');
    await until(() => gotFar.includes('unsubscribed room'));
    other.close();
    await until(() => a.topics.subscriberCount('room') === 1);
    await b.publish('room', 'after');
    await until(() => gotSender.includes('after'));
    t.same(gotFar, ['hello', 'unsubscribed room'], 'the unsubscribed one got nothing more');
  });

  t.test('a node reads a topic from Redis only while it has subscribers to it', async (t) => {
    const node = await startNode({ url: redis.url });
    t.teardown(() => stopNode(node));
    const monitor = createClient({ url: redis.url });
    await monitor.connect();
    const reads: string[] = [];
    await monitor.monitor((line: string) => {
      if (/"XREAD"/i.test(line)) reads.push(line);
    });
    t.teardown(() => monitor.destroy());
    const client = await subscriber(node, 'watched');
    await until(() => reads.some((line) => line.includes(':t:watched')), 'an XREAD of the topic', 7000);
    client.close();
    await until(() => node.topics.subscriberCount('watched') === 0);
    await node.topics.publish('unwatched-nudge', 'x');
    const other = await subscriber(node, 'other');
    reads.length = 0;
    await until(() => reads.length > 0, 'the next XREAD', 7000);
    t.notOk(reads.some((line) => line.includes(':t:watched')), 'the topic without subscribers is no longer read');
    other.close();
  });

  t.test('options are checked', async (t) => {
    await t.rejects(redisTopics({} as never), /one of `url` and `client`/);
    await t.rejects(redisTopics({ url: redis.url, shards: 0 }), RangeError);
    await t.rejects(redisTopics({ url: redis.url, publishTimeout: -1 }), /publishTimeout/);
    await t.rejects(redisTopics({ url: redis.url, prefix: 'a b' }), /prefix/);
    await t.rejects(redisTopics({ url: redis.url, colour: 'red' } as never), /^unknown option colour for redisTopics/);
    await t.rejects(redisTopics({ url: redis.url, publishTimout: 1 } as never), /unknown option publishTimout for redisTopics.*publishTimeout/);
    await t.rejects(redisTopics({ url: 'redis://127.0.0.1:1', publishTimeout: 300, onError: () => undefined }), /cannot reach Redis within 300 ms: connect ECONNREFUSED/);
    const topics = await redisTopics({ url: redis.url });
    await topics.close();
    await t.rejects(topics.publish('x', 'y'), /closed/);
  });
}
