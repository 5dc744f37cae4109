/**
 * One server process sharing topics through Redis, driven by its parent:
 * { type: 'publish', topic, texts, every } publishes (one every `every` ms,
 * or all at once) and answers with each publish's outcome; 'stop' ends it.
 */
import { startNode, stopNode } from './nodes.js';

const [url, publishTimeout] = process.argv.slice(2);
const node = await startNode({ url: url!, publishTimeout: Number(publishTimeout) });

interface Publish {
  type: 'publish';
  topic: string;
  texts: string[];
  every?: number;
}

process.on('message', async (message: Publish | { type: 'stop' }) => {
  if (message.type === 'stop') {
    await stopNode(node);
    process.exit(0);
  }
  const outcomes: Promise<string>[] = [];
  for (const text of message.texts) {
    outcomes.push(node.publish(message.topic, text).then(() => 'resolved', (error: { code?: string }) => error.code ?? String(error)));
    if (message.every) await new Promise((resolve) => setTimeout(resolve, message.every));
  }
  process.send!({ type: 'published', outcomes: await Promise.all(outcomes) });
});
process.send!({ type: 'ready', url: node.url });
