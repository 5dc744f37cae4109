/** workerTopics and relayWorkerTopics: topics across node:cluster workers, the way docs/scaling.md shows. */
import t from 'tap';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect, relayWorkerTopics, workerTopics, type WebSocketConnection } from '../src/index.js';

t.test('outside a cluster: each side says where it belongs', async (t) => {
  t.throws(() => workerTopics(), /for cluster workers/);
  // This test process is a cluster primary by Node's definition; forking none, it may relay.
  const stop = relayWorkerTopics();
  stop();
});

t.test('two workers on one port: a publish reaches the subscribers of both, and resolves with how many workers got it', async (t) => {
  const app = fork(new URL('./helpers/cluster-app.ts', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  t.teardown(() => void app.kill('SIGKILL'));
  const [{ url, again }] = (await once(app, 'message')) as [{ url: string; again: string }];
  t.match(again, /must come before cluster\.fork\(\)/, 'relaying set up after fork() is refused');
  const clients: { socket: WebSocketConnection; got: string[] }[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < 12 && (seen.size < 2 || clients.length < 4); i++) {
    const socket = await connect(url, { transport: 'h1' });
    const got: string[] = [];
    const hello = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
    socket.on('message', (data) => got.push(data.toString()));
    seen.add(await hello);
    got.length = 0;
    clients.push({ socket, got });
  }
  t.same([...seen].sort(), ['worker 1', 'worker 2'], 'the port is shared by both workers');
  clients[0]!.socket.send('to everyone');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !(clients.slice(1).every((client) => client.got.includes('to everyone')) && clients[0]!.got.length > 0)) await new Promise((resolve) => setTimeout(resolve, 20));
  t.ok(clients.slice(1).every((client) => client.got.includes('to everyone')), `all ${clients.length - 1} others, on both workers, got it`);
  t.same(clients[0]!.got, ['receipt {"workers":2}'], 'the sender is left out, and told both workers had subscribers');
  for (const client of clients) client.socket.close();
  app.send('stop');
  await once(app, 'exit');
});
