/**
 * docs/scaling.md's way, run by test/worker-topics.ts: a primary that relays
 * topics and forks two workers, each a createServer on the shared port whose
 * WebSockets subscribe to 'news' and publish what they send to it.
 */
import cluster from 'node:cluster';
import { createServer, relayWorkerTopics, workerTopics } from '../../src/index.js';

if (cluster.isPrimary) {
  relayWorkerTopics();
  const workers = [cluster.fork(), cluster.fork()];
  let again = '';
  try {
    relayWorkerTopics();
  } catch (error) {
    again = (error as Error).message;
  }
  const urls = await Promise.all(workers.map((worker) => new Promise<string>((resolve) => worker.once('message', resolve))));
  process.send!({ url: urls[0], again });
  process.on('message', () => {
    for (const worker of workers) worker.kill();
    process.exit(0);
  });
} else {
  const topics = workerTopics();
  const server = await createServer({
    topics,
    handler: (connection) => {
      connection.subscribe('news');
      connection.send(`worker ${cluster.worker!.id}`);
      connection.on('message', async (data) => {
        const receipt = await server.publish('news', data.toString(), { except: connection });
        connection.send(`receipt ${JSON.stringify(receipt)}`);
      });
    },
  });
  process.send!(server.url);
}
