/**
 * Four server processes on one Redis, 2,000 WebSockets spread over them:
 * order, an outage, unsubscribe and close, a node killed mid-burst.
 */
import t from 'tap';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from '@wstack/http1';
import type { WebSocketConnection } from '@wstack/core';
import { hasRedis, RedisServer, requirePeer, until } from '@wstack/testkit';

const NODES = 4;
const SOCKETS = 2000;
const CHILD = new URL('./helpers/node-process.ts', import.meta.url);

interface NodeProcess {
  child: ChildProcess;
  url: string;
}

async function startProcess(redisUrl: string): Promise<NodeProcess> {
  const child = fork(CHILD, [redisUrl, '1000'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [{ url: string }];
  return { child, url: ready.url };
}

async function publish(node: NodeProcess, topic: string, texts: string[], every = 0): Promise<string[]> {
  node.child.send({ type: 'publish', topic, texts, every });
  const [answer] = (await once(node.child, 'message')) as [{ outcomes: string[] }];
  return answer.outcomes;
}

interface Client {
  socket: WebSocketConnection;
  node: number;
  got: string[];
}

async function openClient(node: NodeProcess, index: number): Promise<Client> {
  const socket = await connect(node.url);
  const client = { socket, node: index, got: [] as string[] };
  socket.on('message', (data) => client.got.push(data.toString()));
  socket.send('sub all');
  await until(() => client.got.includes('subscribed all'), 'a subscription', 20000);
  client.got.length = 0;
  return client;
}

const texts = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

if (requirePeer(t, 'redis-server', hasRedis(), 'apt-get install redis-server')) {
  const redis = await RedisServer.start();
  const nodes = await Promise.all(Array.from({ length: NODES }, () => startProcess(redis.url)));
  t.teardown(async () => {
    for (const node of nodes) node.child.kill('SIGKILL');
    await redis.close();
  });
  const clients: Client[] = [];
  for (let i = 0; i < SOCKETS; i += 100) clients.push(...(await Promise.all(Array.from({ length: 100 }, (_, j) => openClient(nodes[(i + j) % NODES]!, (i + j) % NODES)))));
  const everyone = () => clients.filter((client) => client.socket.readyState === 1);
  const allGot = (list: Client[], count: number) => list.every((client) => client.got.length >= count);
  const reset = () => clients.forEach((client) => (client.got.length = 0));

  t.test('200 messages published on one node reach all 2,000 WebSockets on four nodes, in order', async (t) => {
    const outcomes = await publish(nodes[0]!, 'all', texts('m', 200));
    t.same(new Set(outcomes), new Set(['resolved']));
    await until(() => allGot(clients, 200), 'every delivery', 30000);
    t.equal(clients.filter((client) => client.got.join() === texts('m', 200).join()).length, SOCKETS, 'every WebSocket got the 200, in order, once');
    reset();
  });

  t.test('a burst into a Redis outage: resolved publishes arrive everywhere, the others are rejected; afterwards a new burst reaches everyone', async (t) => {
    await redis.stop();
    const restarted = new Promise((resolve) => setTimeout(resolve, 1500)).then(() => redis.restart());
    const outcomes = await publish(nodes[1]!, 'all', texts('o', 150), 20);
    await restarted;
    const resolved = texts('o', 150).filter((_, i) => outcomes[i] === 'resolved');
    t.ok(resolved.length > 0 && resolved.length < 150, `${resolved.length} of 150 resolved`);
    t.equal(outcomes.filter((outcome) => outcome !== 'resolved' && outcome !== 'NOT_PUBLISHED').length, 0, 'the rest NOT_PUBLISHED');
    await until(() => allGot(clients, resolved.length), 'the resolved ones everywhere', 30000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.equal(clients.filter((client) => client.got.join() === resolved.join()).length, SOCKETS, 'each WebSocket got exactly the resolved ones, in order');
    reset();
    t.same(new Set(await publish(nodes[2]!, 'all', texts('a', 100))), new Set(['resolved']));
    await until(() => allGot(clients, 100), 'the burst after the outage', 30000);
    t.equal(clients.filter((client) => client.got.join() === texts('a', 100).join()).length, SOCKETS, 'all 2,000 got it, no node restarted');
    reset();
  });

  t.test('unsubscribe and close stop delivery on every node', async (t) => {
    const leaving = clients.filter((_, i) => i % 10 === 0);
    leaving.forEach((client, i) => (i % 2 ? client.socket.close() : client.socket.send('unsub all')));
    await until(() => leaving.every((client) => client.socket.readyState === 3 || client.got.includes('unsubscribed all')), 'the leavers', 20000);
    reset();
    await publish(nodes[3]!, 'all', texts('u', 20));
    const staying = everyone().filter((client) => !leaving.includes(client));
    await until(() => allGot(staying, 20), 'the stayers', 30000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.equal(staying.length, SOCKETS - leaving.length);
    t.equal(leaving.filter((client) => client.got.length > 0).length, 0, `none of the ${leaving.length} that left got anything`);
    for (const client of leaving) client.socket.close();
    clients.splice(0, clients.length, ...staying);
    reset();
  });

  t.test('a node killed mid-burst does not stop the others', async (t) => {
    const burst = publish(nodes[0]!, 'all', texts('k', 300), 5);
    await new Promise((resolve) => setTimeout(resolve, 400));
    nodes[1]!.child.kill('SIGKILL');
    const outcomes = await burst;
    t.same(new Set(outcomes), new Set(['resolved']), 'every publish of the surviving publisher resolved');
    const survivors = clients.filter((client) => client.node !== 1);
    await until(() => allGot(survivors, 300), 'the burst on the surviving nodes', 30000);
    t.equal(survivors.filter((client) => client.got.join() === texts('k', 300).join()).length, survivors.length, `all ${survivors.length} WebSockets on the three other nodes got the 300, in order`);
    await until(() => clients.filter((client) => client.node === 1).every((client) => client.socket.readyState === 3), 'the killed node\'s WebSockets to close', 10000);
    reset();
    t.same(new Set(await publish(nodes[2]!, 'all', texts('z', 10))), new Set(['resolved']));
    await until(() => allGot(survivors, 10), 'a publish afterwards', 30000);
    t.pass('and publishing goes on');
    for (const client of clients) client.socket.close();
  });
}
