/**
 * @wstack/redis: topics that span every process and machine sharing a
 * Redis. `createServer({ topics: await redisTopics({ url }) })`; then
 * `connection.subscribe(topic)` and `server.publish(topic, data)` as with
 * one process, the publish resolving once Redis stored the message.
 */
export { redisTopics } from './redis-topics.js';
export type { RedisTopics, RedisTopicsOptions, PublishReceipt } from './redis-topics.js';
export { PublishError } from './publish-error.js';
export type { PublishErrorCode } from './publish-error.js';
export type { RedisClient, StandaloneClient, ClusterClient } from './redis-link.js';
