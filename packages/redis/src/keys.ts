/**
 * Where a topic lives in Redis: one stream per topic. The streams are spread
 * over `shards`; the part in braces is a shard's hash tag, so that under
 * Redis Cluster a topic's traffic stays on one slot and one XREAD can read
 * every stream of a shard (a multi-key command must not cross slots).
 */

/** FNV-1a over the topic's UTF-8: the same shard for a topic on every node. */
export function shardOf(topic: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(topic)) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0) % shards;
}

export function streamKey(prefix: string, shard: number, topic: string): string {
  return `${prefix}:{${prefix}/${shard}}:t:${topic}`;
}

/** A node's own stream in a shard, written to wake its blocked reader when it follows a new topic. */
export function wakeKey(prefix: string, shard: number, node: string): string {
  return `${prefix}:{${prefix}/${shard}}:w:${node}`;
}

/** Orders two stream entry ids ("<ms>-<seq>"). */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-');
  const [bMs, bSeq] = b.split('-');
  const ms = BigInt(aMs!) - BigInt(bMs!);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(aSeq ?? '0') - BigInt(bSeq ?? '0');
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}
