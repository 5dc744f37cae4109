/**
 * Topics across the workers of one machine, without Redis: each publish
 * goes to the primary process (relayWorkerTopics), which hands it to every
 * worker with subscribers to the topic. The promise resolves once the
 * primary did, with how many workers it reached.
 */
import cluster from 'node:cluster';
import { RelayedTopics, type RelayedMessage, type TopicRelay, type TopicsOptions } from '@wstack/core';
import { isTopicsMessage, RELAY_ENV, TAG, type PrimarySays, type WorkerSays } from './messages.js';

/** What a worker's publish resolved to: the workers with subscribers it was handed to. */
export interface WorkerPublishReceipt {
  workers: number;
}

export type WorkerTopics = RelayedTopics<WorkerPublishReceipt>;

/** Topics for `createServer({ topics })` in a cluster worker whose primary runs relayWorkerTopics(). */
export function workerTopics(options: Omit<TopicsOptions, 'onActive'> = {}): WorkerTopics {
  if (!cluster.isWorker) throw new Error('workerTopics is for cluster workers; a single process uses Topics, several machines @wstack/redis');
  if (process.env[RELAY_ENV] !== '1') throw new Error('the primary process must call relayWorkerTopics() before cluster.fork()');
  return new RelayedTopics((deliver) => new WorkerRelay(deliver), options);
}

class WorkerRelay implements TopicRelay<WorkerPublishReceipt> {
  private sequence = 0;
  private readonly waiting = new Map<number, { resolve: (workers: number) => void; reject: (error: Error) => void }>();
  private readonly onMessage = (said: unknown) => {
    if (!isTopicsMessage<PrimarySays>(said)) return;
    if (said.op === 'deliver') {
      this.deliver(said.message);
    } else {
      this.waiting.get(said.id)?.resolve(said.workers);
      this.waiting.delete(said.id);
    }
  };
  private readonly onDisconnect = () => this.rejectWaiting('the primary process is gone');

  constructor(private readonly deliver: (message: RelayedMessage) => void) {
    process.on('message', this.onMessage);
    process.on('disconnect', this.onDisconnect);
  }

  async follow(topic: string): Promise<void> {
    await this.ask((id) => ({ tag: TAG, op: 'follow', id, topic }));
  }

  unfollow(topic: string): void {
    if (process.connected) process.send!({ tag: TAG, op: 'unfollow', topic } satisfies WorkerSays);
  }

  async publish(message: RelayedMessage): Promise<WorkerPublishReceipt> {
    return { workers: await this.ask((id) => ({ tag: TAG, op: 'publish', id, message })) };
  }

  async close(): Promise<void> {
    process.off('message', this.onMessage);
    process.off('disconnect', this.onDisconnect);
    this.rejectWaiting('these topics are closed');
  }

  private rejectWaiting(reason: string): void {
    for (const { reject } of this.waiting.values()) reject(new Error(reason));
    this.waiting.clear();
  }

  private ask(said: (id: number) => WorkerSays): Promise<number> {
    if (!process.connected) return Promise.reject(new Error('the primary process is gone'));
    const id = ++this.sequence;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      process.send!(said(id));
    });
  }
}
