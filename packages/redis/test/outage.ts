/** Redis stopped and started again (empty, as without persistence) under the nodes: what each publish promised holds. */
import t from 'tap';
import { hasRedis, inbox, RedisServer, requirePeer, until } from '@wstack/testkit';
import { createClient } from '@redis/client';
import { PublishError } from '../src/index.js';
import { shardOf, streamKey } from '../src/keys.js';
import { startNode, stopNode, subscriber } from './helpers/nodes.js';

if (requirePeer(t, 'redis-server', hasRedis(), 'apt-get install redis-server')) {
  const redis = await RedisServer.start();
  t.teardown(() => redis.close());

  t.test('publishes spread over an outage: the resolved ones arrive everywhere once and in order, the rejected ones nowhere', async (t) => {
    const errors: Error[] = [];
    const options = { url: redis.url, publishTimeout: 1000, onError: (error: Error) => void errors.push(error) };
    const [a, b] = await Promise.all([startNode(options), startNode(options)]);
    t.teardown(async () => Promise.all([stopNode(a), stopNode(b)]));
    const [onA, onB] = [await subscriber(a, 'ticks'), await subscriber(b, 'ticks')];
    const [gotA, gotB] = [inbox(onA), inbox(onB)];
    await redis.stop();
    const restarted = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => redis.restart());
    const outcomes: Promise<string>[] = [];
    // One publish every 20 ms for 3 s: before, during and after the restart.
    for (let i = 0; i < 150; i++) {
      outcomes.push(a.publish('ticks', `t${i}`).then(
        () => 'resolved',
        (error: PublishError) => error.code,
      ));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await restarted;
    const settled = await Promise.all(outcomes);
    const resolved = settled.flatMap((outcome, i) => (outcome === 'resolved' ? [`t${i}`] : []));
    const notPublished = settled.flatMap((outcome, i) => (outcome === 'NOT_PUBLISHED' ? [`t${i}`] : []));
    t.ok(notPublished.length > 0, `some publishes found Redis down past their deadline (${notPublished.length})`);
    t.ok(resolved.length > 0, `some resolved once Redis was back (${resolved.length})`);
    t.equal(settled.filter((outcome) => outcome !== 'resolved' && outcome !== 'NOT_PUBLISHED').length, 0, 'none unconfirmed: nothing was in flight when Redis stopped');
    await until(() => gotA.length >= resolved.length && gotB.length >= resolved.length, 'the resolved publishes on both nodes', 10000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.same(gotA, resolved, 'node A: every resolved publish, once, in order, and nothing else');
    t.same(gotB, resolved, 'node B: the same');
    t.ok(errors.length >= 2 && errors.length <= 6, `each node told of the outage once or so, not once per retry (${errors.length})`);

    // After the outage, without restarting a node: a new burst reaches everyone, and new subscriptions work.
    const late = await subscriber(b, 'ticks');
    const gotLate = inbox(late);
    gotA.length = 0;
    gotB.length = 0;
    await Promise.all(Array.from({ length: 100 }, (_, i) => b.publish('ticks', `after${i}`)));
    const after = Array.from({ length: 100 }, (_, i) => `after${i}`);
    await until(() => gotA.length === 100 && gotB.length === 100 && gotLate.length === 100, 'the burst after the outage', 5000);
    t.same([gotA, gotB, gotLate], [after, after, after]);
  });

  t.test('a publish with a deadline longer than the outage waits for Redis and resolves; a node that subscribes during the outage is served once it ends', async (t) => {
    const options = { url: redis.url, publishTimeout: 5000 };
    const [a, b] = await Promise.all([startNode(options), startNode(options)]);
    t.teardown(async () => Promise.all([stopNode(a), stopNode(b)]));
    const onA = await subscriber(a, 'burst');
    const gotA = inbox(onA);
    const onB = await subscriber(b);
    const gotB = inbox(onB);
    await redis.stop();
    onB.send('sub burst');
    const burst = Array.from({ length: 200 }, (_, i) => a.publish('burst', `m${i}`));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.restart();
    await Promise.all(burst);
    const expected = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await until(() => gotA.length === 200, 'the burst', 10000);
    t.same(gotA, expected, 'every message of the burst, once, in order');
    await until(() => gotB.includes('subscribed burst'), 'the subscription on B', 10000);
    await a.publish('burst', 'next');
    await until(() => gotA.length === 201 && gotB.at(-1) === 'next', 'the publish after the outage', 5000);
    // B's subscription took effect when Redis came back, before, among or after A's queued burst: it got a tail of it.
    const fromB = gotB.filter((text) => text !== 'subscribed burst');
    const tail = [...expected, 'next'].slice(-fromB.length);
    t.same(fromB, tail, `the subscription made during the outage took effect when Redis came back (${fromB.length - 1} of the burst)`);
  });

  t.test('a Redis that hangs: UNCONFIRMED at the deadline (the message may still arrive, and does here); a refused publish is NOT_PUBLISHED', async (t) => {
    const [a, b] = await Promise.all([startNode({ url: redis.url, publishTimeout: 500 }), startNode({ url: redis.url })]);
    t.teardown(async () => Promise.all([stopNode(a), stopNode(b)]));
    const onB = await subscriber(b, 'hung');
    const gotB = inbox(onB);
    redis.pause();
    const outcome = await a.publish('hung', 'in limbo').then(
      () => 'resolved',
      (error: PublishError) => `${error.code}: ${error.message}`,
    );
    redis.resume();
    t.match(outcome, /^UNCONFIRMED: Redis did not confirm the publish within publishTimeout \(500 ms\)/);
    await until(() => gotB.includes('in limbo'), 'the unconfirmed message', 5000);
    t.pass('sent before the deadline, it arrived once Redis went on');

    const admin = createClient({ url: redis.url });
    await admin.connect();
    t.teardown(() => admin.close());
    await admin.set(streamKey('wstack', shardOf('not-a-stream', 16), 'not-a-stream'), 'a string');
    await t.rejects(a.publish('not-a-stream', 'x'), { name: 'PublishError', code: 'NOT_PUBLISHED', message: /Redis refused the publish: WRONGTYPE/ });
  });
}
