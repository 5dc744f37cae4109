/**
 * The primary process's side of workerTopics: it knows which worker follows
 * which topic and hands every publish to those workers, in the order it
 * arrived; the publisher hears back after, on the same ordered channel.
 */
import cluster, { type Worker } from 'node:cluster';
import { isTopicsMessage, RELAY_ENV, TAG, type PrimarySays, type WorkerSays } from './messages.js';

/**
 * Carries the publishes of workerTopics between the workers of this
 * primary process. Call it before `cluster.fork()`: it sets the IPC channel
 * to carry bytes (serialization 'advanced'). Returns the function that
 * stops relaying.
 */
export function relayWorkerTopics(): () => void {
  if (!cluster.isPrimary) throw new Error('relayWorkerTopics runs in the primary process; the workers use workerTopics()');
  if (Object.keys(cluster.workers ?? {}).length > 0) throw new Error('relayWorkerTopics must come before cluster.fork(): the workers\' channel must carry bytes');
  cluster.setupPrimary({ serialization: 'advanced' });
  // Inherited by the workers forked from now on: workerTopics() checks that a relay is there.
  process.env[RELAY_ENV] = '1';
  const followers = new Map<string, Set<Worker>>();
  const send = (worker: Worker, message: PrimarySays) => {
    if (worker.isConnected()) worker.send(message);
  };
  const onMessage = (worker: Worker, said: unknown) => {
    if (!isTopicsMessage<WorkerSays>(said)) return;
    if (said.op === 'follow') {
      let set = followers.get(said.topic);
      if (set === undefined) followers.set(said.topic, (set = new Set()));
      set.add(worker);
      send(worker, { tag: TAG, op: 'done', id: said.id, workers: set.size });
    } else if (said.op === 'unfollow') {
      leave(worker, said.topic);
    } else {
      const set = followers.get(said.message.topic) ?? new Set<Worker>();
      for (const follower of set) send(follower, { tag: TAG, op: 'deliver', message: said.message });
      send(worker, { tag: TAG, op: 'done', id: said.id, workers: set.size });
    }
  };
  const leave = (worker: Worker, topic: string) => {
    const set = followers.get(topic);
    if (set?.delete(worker) && set.size === 0) followers.delete(topic);
  };
  const onExit = (worker: Worker) => {
    for (const topic of [...followers.keys()]) leave(worker, topic);
  };
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  return () => {
    delete process.env[RELAY_ENV];
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
  };
}
