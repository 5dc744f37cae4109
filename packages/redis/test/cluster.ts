/** @wstack/redis on a Redis Cluster (one node holding every slot): keys that keep a shard on one slot, a reader per shard. */
import t from 'tap';
import { createClient, createCluster } from '@redis/client';
import { hasRedis, inbox, RedisServer, requirePeer, until } from '@wstack/testkit';
import { shardOf, streamKey, wakeKey } from '../src/keys.js';
import { startNode, stopNode, subscriber } from './helpers/nodes.js';

if (requirePeer(t, 'redis-server', hasRedis(), 'apt-get install redis-server')) {
  const redis = await RedisServer.start({ cluster: true });
  t.teardown(() => redis.close());
  const admin = createClient({ url: redis.url });
  await admin.connect();
  await admin.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
  for (let i = 0; !String(await admin.sendCommand(['CLUSTER', 'INFO'])).includes('cluster_state:ok'); i++) {
    if (i > 100) throw new Error('the cluster did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  t.test('a shard\'s streams and its wake stream share one slot; topics spread over shards', async (t) => {
    const slot = async (key: string) => Number(await admin.sendCommand(['CLUSTER', 'KEYSLOT', key]));
    const topics = Array.from({ length: 40 }, (_, i) => `topic-${i}`);
    const shards = new Set(topics.map((topic) => shardOf(topic, 16)));
    t.ok(shards.size >= 10, `40 topics fall in ${shards.size} of 16 shards`);
    for (const topic of topics.slice(0, 8)) {
      const shard = shardOf(topic, 16);
      t.equal(await slot(streamKey('wstack', shard, topic)), await slot(wakeKey('wstack', shard, 'node')), `${topic}: one slot`);
    }
    t.not(await slot(streamKey('wstack', 0, 'x')), await slot(streamKey('wstack', 1, 'x')), 'another shard, another slot');
  });

  t.test('two nodes on cluster clients: topics of several shards delivered everywhere, in order', async (t) => {
    const clients = [0, 1].map(() => createCluster({ rootNodes: [{ url: redis.url }] }));
    for (const client of clients) client.on('error', () => undefined);
    const [a, b] = await Promise.all(clients.map((client) => startNode({ client })));
    const topics = ['alpha', 'beta', 'gamma', 'delta'];
    t.ok(new Set(topics.map((topic) => shardOf(topic, 16))).size > 1, 'more than one shard, so more than one reader');
    const listeners = await Promise.all([subscriber(a, ...topics), subscriber(b, ...topics)]);
    const received = listeners.map(inbox);
    const expected: string[] = [];
    for (let i = 0; i < 20; i++) for (const topic of topics) expected.push(`${topic}:${i}`);
    await Promise.all(expected.map((text, i) => (i % 2 ? a : b).publish(text.split(':')[0]!, text)));
    await until(() => received.every((list) => list.length === expected.length), 'every message on both nodes', 5000);
    for (const list of received) {
      for (const topic of topics) t.same(list.filter((text) => text.startsWith(`${topic}:`)), expected.filter((text) => text.startsWith(`${topic}:`)), `${topic} in order`);
    }
    await Promise.all([stopNode(a), stopNode(b)]);
    t.ok(clients.every((client) => client.isOpen), 'a client given stays open: it is the caller’s');
    await Promise.all(clients.map((client) => client.close()));
  });
  t.teardown(() => admin.close());
}
