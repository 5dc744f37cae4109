/** Servers that share topics through one Redis, and clients that subscribe by message: "sub <topic>" → "subscribed <topic>". */
import type { PublishOptions, SendData, WebSocketConnection } from '@wstack/core';
import { connect, WebSocketServer } from '@wstack/http1';
import { redisTopics, type RedisTopics, type RedisTopicsOptions } from '../../src/index.js';

/** A server process of its own, in miniature: an HTTP/1.1 WebSocket server and its topics. */
export interface Node {
  url: string;
  topics: RedisTopics;
  connections: ReadonlySet<WebSocketConnection>;
  publish(topic: string, data: SendData, options?: PublishOptions): ReturnType<RedisTopics['publish']>;
  close(): Promise<unknown>;
}

/** A server on its own port whose WebSockets subscribe when told to, answering once the subscription took effect everywhere. */
export async function startNode(options: RedisTopicsOptions): Promise<Node> {
  const topics = await redisTopics({ onError: () => undefined, ...options });
  const server = new WebSocketServer({
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
  const { port } = await server.listen({ port: 0 });
  return { url: `ws://127.0.0.1:${port}/`, topics, connections: server.connections, publish: (topic, data, publishOptions) => topics.publish(topic, data, publishOptions), close: () => server.close() };
}

export async function stopNode(node: Node): Promise<void> {
  await node.close();
  await node.topics.close();
}

/** A client of the node, subscribed to the topics once the answer came. */
export async function subscriber(node: Node, ...topics: string[]): Promise<WebSocketConnection> {
  const client = await connect(node.url);
  for (const topic of topics) {
    const answered = new Promise((resolve) => client.once('message', resolve));
    client.send(`sub ${topic}`);
    await answered;
  }
  return client;
}
