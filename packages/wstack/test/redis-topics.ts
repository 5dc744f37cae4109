/** Topics on Redis under createServer: every transport, and a transport's own server, share them. */
import t from 'tap';
import { redisTopics } from '@wstack/redis';
import { hasRedis, inbox, RedisServer, requirePeer, until } from '@wstack/testkit';
import { connect, createServer, Http1Server } from '../src/index.js';

t.test('@wstack/redis: every transport, and a transport\'s own server given the same topics', async (t) => {
  if (!requirePeer(t, 'redis-server', hasRedis(), 'apt-get install redis-server')) return;
  const redis = await RedisServer.start();
  t.teardown(() => redis.close());
  const topics = await redisTopics({ url: redis.url });
  const secure = await createServer({ devCert: true, topics, handler: (connection) => void connection.subscribe('all') });
  const plainTopics = await redisTopics({ url: redis.url });
  const http1 = new Http1Server({ topics: plainTopics, handler: (connection) => void connection.subscribe('all') });
  const { port } = await http1.listen({ port: 0 });
  t.teardown(async () => {
    await Promise.all([secure.close(), http1.close()]);
    await Promise.all([topics.close(), plainTopics.close()]);
  });
  const tls = { ca: secure.devCert!.cert };
  const clients = [
    ...(await Promise.all((['h1', 'h2', 'h3'] as const).map((transport) => connect(secure.url, { transport, tls })))),
    await connect(`ws://127.0.0.1:${port}/`, { transport: 'h1' }),
  ];
  t.same(clients.map((client) => client.transport), ['http/1.1', 'h2', 'h3', 'http/1.1']);
  const got = clients.map(inbox);
  await Promise.all([topics.ready(), plainTopics.ready()]);
  await plainTopics.publish('all', 'from the HTTP/1.1 server alone');
  await secure.publish('all', Buffer.from([7]));
  await until(() => got.every((list) => list.length === 2), 'both messages on every transport');
  t.same(new Set(got.map((list) => list.join())), new Set(['from the HTTP/1.1 server alone,bytes:07']));
  for (const client of clients) client.close();
});
