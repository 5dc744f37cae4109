/** `wstack serve --workers N [--redis URL]`: one port, several processes, topics that span them. */
import t from 'tap';
import type { WebSocketConnection } from '@wstack/core';
import { canSharePort } from '@wstack/core';
import { closed, hasRedis, RedisServer, requirePeer, until } from '@wstack/testkit';
import { connect, type ClientTransport } from '../src/index.js';
import { exitCode, start, type Running } from './helpers/cli-process.js';

async function listening(run: Running): Promise<string> {
  const line = await run.line(/^listening on /);
  return /(wss?:\/\/[^/]+\/)/.exec(line)![1]!;
}

/** Clients on /topics/NAME, each collecting what it receives. */
async function room(url: string, name: string, transports: ClientTransport[], tls?: object) {
  const members: { socket: WebSocketConnection; got: string[] }[] = [];
  for (const transport of transports) {
    const socket = await connect(`${url}topics/${name}`, { transport, ...(tls ? { tls } : {}) });
    const member = { socket, got: [] as string[] };
    socket.on('message', (data) => member.got.push(data.toString()));
    members.push(member);
  }
  return members;
}


t.test('--workers 2 --no-tls: the connections spread over both workers, a topic reaches all of them, SIGTERM stops everything gracefully', async (t) => {
  const server = start(['serve', '--workers', '2', '--no-tls', '--port', '0']);
  const url = await listening(server);
  t.match(server.lines.join('\n'), /with 2 workers; topics through this process/);
  const members = await room(url, 'lobby', ['h1', 'h2', 'h1', 'h2', 'h1', 'h2', 'h1', 'h2']);
  await until(() => server.lines.filter((line) => /ws open/.test(line)).length === 8, 'the open lines', 10_000);
  const opened = server.lines.filter((line) => /ws open/.test(line));
  t.ok(opened.some((line) => line.startsWith('[worker 1]')) && opened.some((line) => line.startsWith('[worker 2]')), 'both workers took WebSockets');
  members[0]!.socket.send('hello from 0');
  await until(() => members.slice(1).every((member) => member.got.includes('hello from 0')), 'the room', 10_000);
  t.same(members[0]!.got, [], 'the sender does not get its own message back');
  const echo = await connect(`${url}plain`, { transport: 'h1' });
  echo.send('echo?');
  t.equal(await new Promise((resolve) => echo.once('message', (data) => resolve(data.toString()))), 'echo?', 'other paths still echo');
  const ends = [...members.map((member) => closed(member.socket)), closed(echo)];
  server.child.kill('SIGTERM');
  t.same(new Set((await Promise.all(ends)).map((end) => end.code)), new Set([1001]), 'every WebSocket closed with 1001');
  t.equal(await exitCode(server), 0);
  t.match(server.lines.join('\n'), /stopped 2 workers/);
});

t.test('--workers 2 with TLS: HTTP/3 joins the same topics; where it is served is said', async (t) => {
  const server = start(['serve', '--workers', '2', '--port', '0']);
  const url = await listening(server);
  const log = server.lines.join('\n');
  t.match(log, /\(http\/1\.1, h2, h3\) with 2 workers/);
  if (canSharePort()) t.notMatch(log, /worker 1 only/, 'every worker serves HTTP/3 (reusePort)');
  else t.match(log, /HTTP\/3 in worker 1 only: Node v\d+\.\d+\.\d+ cannot share a UDP port/);
  const tls = { rejectUnauthorized: false };
  const members = await room(url, 'mixed', ['h3', 'h1', 'h2', 'h1', 'h2'], tls);
  members[1]!.socket.send('from h1');
  members[0]!.socket.send('from h3');
  await until(() => members.every((member, i) => member.got.length === (i <= 1 ? 1 : 2)), 'both messages everywhere', 10_000);
  t.same(members[0]!.got, ['from h1']);
  server.child.kill('SIGINT');
  t.equal(await exitCode(server), 0);
});

t.test('--workers is checked', async (t) => {
  for (const bad of ['x', '2.5', '2000']) {
    const run = start(['serve', '--workers', bad, '--no-tls']);
    t.equal(await exitCode(run), 2);
    t.match(run.lines.join('\n'), /--workers must be a number from 0 \(one per core\) to 1024/);
  }
});

t.test('--redis: topics across two separate serve processes (one with workers) sharing a Redis', async (t) => {
  if (!requirePeer(t, 'redis-server', hasRedis(), 'apt-get install redis-server')) return;
  const redis = await RedisServer.start();
  t.teardown(() => redis.close());
  const withWorkers = start(['serve', '--workers', '2', '--no-tls', '--port', '0', '--redis', redis.url]);
  const alone = start(['serve', '--no-tls', '--port', '0', '--redis', redis.url]);
  const [urlA, urlB] = await Promise.all([listening(withWorkers), listening(alone)]);
  t.match(withWorkers.lines.join('\n'), /topics through Redis/);
  const members = [...(await room(urlA, 'wide', ['h1', 'h2', 'h1', 'h2'])), ...(await room(urlB, 'wide', ['h1', 'h2']))];
  // A subscription takes effect once its node follows the topic in Redis: say hello until everyone hears.
  await until(() => {
    members[5]!.socket.send('ping');
    return members.slice(0, 5).every((member) => member.got.includes('ping'));
  }, 'the topic on every process', 10_000);
  members[0]!.socket.send('across');
  await until(() => members.slice(1).every((member) => member.got.includes('across')), 'the message from a worker', 10_000);
  withWorkers.child.kill('SIGTERM');
  alone.child.kill('SIGTERM');
  t.same([await exitCode(withWorkers), await exitCode(alone)], [0, 0]);
});
