/**
 * A server process of the fan-out section (8): an HTTP/1.1 WebSocket server
 * whose every connection subscribes to one topic, with local Topics or
 * @wstack/redis's. Driven over IPC: `publish` sends `count` messages of
 * `size` bytes, each starting with its send time (a float64 of
 * performance.timeOrigin + now, comparable across processes), one every
 * `intervalMs` or all at once, and answers once every publish settled.
 */
import { Topics, type TopicsLike } from '@wstack/core';
import { WebSocketServer } from '@wstack/http1';
import { redisTopics } from '@wstack/redis';

type Command = { cmd: 'count' } | { cmd: 'publish'; count: number; size: number; intervalMs: number } | { cmd: 'stop' };

const [mode, url] = process.argv.slice(2);
const topics: TopicsLike = mode === 'redis' ? await redisTopics({ url: url! }) : new Topics();
const server = new WebSocketServer({ topics, perMessageDeflate: false, handler: (connection) => void connection.subscribe('all') });
const { port } = await server.listen({ port: 0, host: '127.0.0.1' });
process.send!({ type: 'ready', port });

process.on('message', async (command: Command) => {
  if (command.cmd === 'count') {
    if ('ready' in topics) await (topics as { ready(): Promise<void> }).ready();
    process.send!({ type: 'count', connections: server.connections.size });
  } else if (command.cmd === 'publish') {
    const settled: unknown[] = [];
    for (let i = 0; i < command.count; i++) {
      const payload = Buffer.alloc(command.size);
      payload.writeDoubleLE(performance.timeOrigin + performance.now(), 0);
      settled.push(topics.publish('all', payload));
      if (command.intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, command.intervalMs));
    }
    const outcomes = await Promise.allSettled(settled);
    process.send!({ type: 'published', failed: outcomes.filter((outcome) => outcome.status === 'rejected').length });
  } else {
    await server.close();
    if ('close' in topics) await (topics as { close(): Promise<void> }).close();
    process.exit(0);
  }
});
