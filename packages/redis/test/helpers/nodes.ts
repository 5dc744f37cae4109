/** Servers that share topics through one Redis, and clients that subscribe by message: "sub <topic>" → "subscribed <topic>". */
import type { WebSocketConnection } from '@wstack/core';
import { connect, createServer, type Server } from 'wstack';
import { redisTopics, type RedisTopics, type RedisTopicsOptions } from '../../src/index.js';

export type Node = Server<RedisTopics>;

/** A server on its own port whose WebSockets subscribe when told to, answering once the subscription took effect everywhere. */
export async function startNode(options: RedisTopicsOptions): Promise<Node> {
  const topics = await redisTopics({ onError: () => undefined, ...options });
  const server = await createServer({
    topics,
    handler: (connection) => {
      connection.on('message', (data) => {
        const [verb, topic] = data.toString().split(' ') as [string, string];
        if (verb === 'sub') connection.subscribe(topic);
        if (verb === 'unsub') connection.unsubscribe(topic);
        void topics.ready().then(() => connection.readyState === 1 && connection.send(`${verb}scribed ${topic}`));
      });
    },
  });
  return server;
}

export async function stopNode(node: Node): Promise<void> {
  await node.close();
  await node.topics.close();
}

/** A client of the node, subscribed to the topics once the answer came. */
export async function subscriber(node: Node, ...topics: string[]): Promise<WebSocketConnection> {
  const client = await connect(node.url, { transport: 'h1' });
  for (const topic of topics) {
    const answered = new Promise((resolve) => client.once('message', resolve));
    client.send(`sub ${topic}`);
    await answered;
  }
  return client;
}

/** Collects what the client receives, as text. */
export function inbox(client: WebSocketConnection): string[] {
  const received: string[] = [];
  client.on('message', (data, binary) => received.push(binary ? `bytes:${data.toString('hex')}` : data.toString()));
  return received;
}

export async function until(condition: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
