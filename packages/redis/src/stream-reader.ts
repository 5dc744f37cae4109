/**
 * Reads the streams a node follows (of one shard, or all of them on a
 * standalone Redis) with one blocking XREAD at a time on a connection of its
 * own, from the last id it saw of each: after an outage it goes on where it
 * stopped, so nothing is read twice and nothing stored is skipped. Entries
 * are handed over in stream order.
 */
import { compareIds } from './keys.js';
import type { RedisLink } from './redis-link.js';

/** Entries per stream per XREAD. */
const COUNT = 512;
/** How long one XREAD blocks: a bound on how long a dead connection goes unnoticed. */
const BLOCK_MS = 5000;
/** Waits between failed reads: the client reconnects meanwhile. */
const RETRY_MS = [50, 100, 250, 500, 1000];

export type EntryHandler = (topic: string, id: string, fields: readonly Buffer[]) => void;

export class StreamReader {
  /** The followed streams: key → the topic and the last id seen (or the id following started at). */
  private readonly positions = new Map<string, { topic: string; id: string }>();
  private wakeId = '0-0';
  private stopped = false;
  private idle: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly link: RedisLink,
    private readonly wake: string,
    private readonly onEntry: EntryHandler,
    private readonly onError: (error: unknown) => void,
    private readonly onRead: () => void,
  ) {
    this.done = this.run();
  }

  /** Reads the stream from after `id` on. */
  add(key: string, topic: string, id: string): void {
    this.positions.set(key, { topic, id });
    this.idle?.();
  }

  remove(key: string): void {
    this.positions.delete(key);
  }

  get size(): number {
    return this.positions.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.idle?.();
    this.link.client.destroy();
    await this.done;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      if (this.positions.size === 0) {
        await new Promise<void>((resolve) => (this.idle = resolve));
        this.idle = undefined;
        continue;
      }
      const keys = [...this.positions.keys(), this.wake];
      const ids = [...[...this.positions.values()].map((position) => position.id), this.wakeId];
      let reply: unknown;
      try {
        reply = await this.link.send(this.wake, ['XREAD', 'COUNT', String(COUNT), 'BLOCK', String(BLOCK_MS), 'STREAMS', ...keys, ...ids], { bytes: true });
      } catch (error) {
        if (this.stopped) return;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]));
        continue;
      }
      failures = 0;
      this.onRead();
      for (const [key, entries] of streamsOf(reply)) this.take(key, entries);
    }
  }

  private take(key: string, entries: readonly unknown[]): void {
    if (key === this.wake) {
      if (entries.length > 0) this.wakeId = String((entries.at(-1) as unknown[])[0]);
      return;
    }
    for (const entry of entries) {
      // Looked up per entry: a handler may stop following the topic.
      const position = this.positions.get(key);
      if (position === undefined) return;
      const [rawId, fields] = entry as [Buffer, Buffer[] | null];
      const id = rawId.toString('latin1');
      // Followed anew while this read was on its way: what came before the new start is not this follower's.
      if (compareIds(id, position.id) <= 0) continue;
      position.id = id;
      if (fields !== null) this.onEntry(position.topic, id, fields);
    }
  }
}

/** XREAD's answer as (key, entries) pairs: an array of pairs under RESP2, a map under RESP3, nothing on timeout. */
function streamsOf(reply: unknown): [string, unknown[]][] {
  if (reply === null || reply === undefined) return [];
  const pairs = reply instanceof Map ? [...reply.entries()] : (reply as [unknown, unknown][]);
  return pairs.map(([key, entries]) => [String(key), entries as unknown[]]);
}
