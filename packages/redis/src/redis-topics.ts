/**
 * redisTopics: topics whose publishes reach the subscribers of every process
 * and machine that shares one Redis (or Valkey, or a Redis Cluster).
 */
import { createClient } from '@redis/client';
import { RelayedTopics, checkOptions, optionNameSet, type TopicsOptions } from '@wstack/core';
import { RedisLink, type RedisClient } from './redis-link.js';
import { StreamRelay, type PublishReceipt } from './stream-relay.js';

export interface RedisTopicsOptions extends Omit<TopicsOptions, 'onActive'> {
  /** Where Redis is, e.g. redis://127.0.0.1:6379: a client is made, and closed by `close()`. */
  url?: string;
  /** A node-redis client (createClient or createCluster) instead of `url`; connected if it is not. It stays yours: `close()` leaves it open. */
  client?: RedisClient;
  /** What the keys begin with. Default 'wstack'. */
  prefix?: string;
  /** How many shards the topics' streams are spread over (each a hash slot under Cluster). Default 16; every node must agree. */
  shards?: number;
  /** How long a publish waits for Redis, in ms, before it rejects. Default 5000. */
  publishTimeout?: number;
  /** About how many entries each topic's stream keeps (XADD MAXLEN ~): how far a node that lost Redis can fall behind. Default 10,000. */
  maxLength?: number;
  /** A topic's stream is deleted this many ms after its last publish. Default one hour. */
  retention?: number;
  /** Told of the first error of each outage (a lost connection, a failed read). Default: a process warning. */
  onError?: (error: Error) => void;
}

export type { PublishReceipt };

/** Topics across processes on Redis: what `publish` resolves to is a PublishReceipt; `ready()` and `close()` are theirs. */
export type RedisTopics = RelayedTopics<PublishReceipt>;

const OPTION_NAMES = optionNameSet<RedisTopicsOptions>({ url: true, client: true, prefix: true, shards: true, publishTimeout: true, maxLength: true, retention: true, onError: true, maxBufferedAmount: true, slowReceivers: true });

/**
 * Connects to Redis and returns topics for `createServer({ topics })` (or a
 * transport's server) on every node; rejects when Redis cannot be reached
 * within `publishTimeout`.
 */
export async function redisTopics(options: RedisTopicsOptions): Promise<RedisTopics> {
  checkOptions(options, OPTION_NAMES, 'redisTopics');
  const { url, client: given, prefix = 'wstack', shards = 16, publishTimeout = 5000, maxLength = 10_000, retention = 3_600_000, onError, ...topicsOptions } = options;
  if ((url === undefined) === (given === undefined)) throw new TypeError('redisTopics: give one of `url` and `client`');
  if (!/^[\w.-]+$/.test(prefix)) throw new RangeError(`redisTopics: prefix must be letters, digits, '_', '.' or '-', got '${prefix}'`);
  if (!(Number.isInteger(shards) && shards >= 1 && shards <= 16384)) throw new RangeError(`redisTopics: shards must be an integer from 1 to 16384, got ${shards}`);
  for (const [name, value] of Object.entries({ publishTimeout, maxLength, retention })) {
    if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`redisTopics: ${name} must be a positive integer, got ${value}`);
  }
  const report = outageReporter(onError ?? ((error) => process.emitWarning(`Redis: ${error.message}`, 'WstackRedisWarning')));
  const client = given ?? (createClient({ url }) as unknown as RedisClient);
  let lastError: Error | undefined;
  const failed = (error: Error) => (lastError = error);
  client.on('error', failed);
  if (given === undefined) client.on('error', report.error);
  if (!client.isOpen) await connectWithin(client, publishTimeout, () => lastError, given === undefined);
  const link = new RedisLink(client);
  const closeLink = async () => {
    if (given === undefined) await client.close();
  };
  return new RelayedTopics((deliver) => new StreamRelay(link, { prefix, shards, publishTimeout, maxLength, retention }, deliver, report.error, report.recovered, closeLink), topicsOptions);
}

/** node-redis retries a refused connection for ever: a server that cannot reach Redis at start-up says so instead. */
async function connectWithin(client: RedisClient, ms: number, lastError: () => Error | undefined, ours: boolean): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cannot reach Redis within ${ms} ms${lastError() ? `: ${lastError()!.message}` : ''}`)), ms);
  });
  try {
    await Promise.race([client.connect(), deadline]);
  } catch (error) {
    if (ours) client.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** One report per outage: node-redis reports every failed reconnection. */
function outageReporter(onError: (error: Error) => void) {
  let down = false;
  return {
    error(error: unknown): void {
      if (down) return;
      down = true;
      onError(error instanceof Error ? error : new Error(String(error)));
    },
    recovered(): void {
      down = false;
    },
  };
}
