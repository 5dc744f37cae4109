/**
 * The relay of @wstack/redis: a publish is an XADD to the topic's stream
 * (its promise resolves once Redis stored it), and each node reads the
 * streams of the topics it has subscribers to, once for all of them.
 */
import { randomBytes } from 'node:crypto';
import { AbortError, ErrorReply } from '@redis/client';
import type { RelayedMessage, TopicRelay } from '@wstack/core';
import { entryFields, messageOf } from './entries.js';
import { shardOf, streamKey, wakeKey } from './keys.js';
import { PublishError } from './publish-error.js';
import type { RedisLink } from './redis-link.js';
import { StreamReader } from './stream-reader.js';

/** What a publish that resolved got: the id Redis gave its stream entry. */
export interface PublishReceipt {
  id: string;
}

export interface StreamSettings {
  prefix: string;
  shards: number;
  publishTimeout: number;
  maxLength: number;
  retention: number;
}

const DEADLINE = Symbol('deadline');
const FOLLOW_RETRY_MS = 250;

export class StreamRelay implements TopicRelay<PublishReceipt> {
  /** Names this node's wake streams. */
  private readonly node = randomBytes(8).toString('hex');
  /** One reader for all shards on a standalone Redis (key -1), one per shard under Cluster. */
  private readonly readers = new Map<number, Promise<StreamReader>>();
  /** The topics wanted now, with the follow that wants them (a later follow of the same topic supersedes it). */
  private readonly wanted = new Map<string, symbol>();
  /** When this node last set each topic's stream to expire. */
  private readonly expiresSet = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly link: RedisLink,
    private readonly settings: StreamSettings,
    private readonly deliver: (message: RelayedMessage) => void,
    private readonly reportError: (error: unknown) => void,
    private readonly reportHealthy: () => void,
    private readonly closeLink: () => Promise<void>,
  ) {}

  async follow(topic: string): Promise<void> {
    const token = Symbol(topic);
    this.wanted.set(topic, token);
    const shard = shardOf(topic, this.settings.shards);
    const key = streamKey(this.settings.prefix, shard, topic);
    // Start after the stream's last entry as of now: what is published from here on is read.
    for (;;) {
      if (this.closed || this.wanted.get(topic) !== token) return;
      try {
        const last = (await this.link.send(key, ['XREVRANGE', key, '+', '-', 'COUNT', '1'])) as [string, unknown][];
        const reader = await this.readerOf(shard);
        if (this.closed || this.wanted.get(topic) !== token) return;
        reader.add(key, topic, last.length > 0 ? String(last[0]![0]) : '0-0');
        await this.wakeReader(shard);
        return;
      } catch (error) {
        this.reportError(error);
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_RETRY_MS));
      }
    }
  }

  unfollow(topic: string): void {
    this.wanted.delete(topic);
    const shard = shardOf(topic, this.settings.shards);
    void this.readers.get(this.readerSlot(shard))?.then((reader) => reader.remove(streamKey(this.settings.prefix, shard, topic)));
  }

  async publish(message: RelayedMessage): Promise<PublishReceipt> {
    const key = streamKey(this.settings.prefix, shardOf(message.topic, this.settings.shards), message.topic);
    const controller = new AbortController();
    const sent = this.link.send(key, ['XADD', key, 'MAXLEN', '~', String(this.settings.maxLength), '*', ...entryFields(message)], { abortSignal: controller.signal });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof DEADLINE>((resolve) => (timer = setTimeout(resolve, this.settings.publishTimeout, DEADLINE)));
    let outcome: unknown;
    try {
      outcome = await Promise.race([sent, deadline]);
    } catch (error) {
      // Refused by Redis: not stored. Lost on the way back: maybe stored.
      if (error instanceof ErrorReply) throw new PublishError('NOT_PUBLISHED', `Redis refused the publish: ${error.message}`, { cause: error });
      throw new PublishError('UNCONFIRMED', `the connection to Redis was lost before it confirmed the publish: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (outcome === DEADLINE) {
      // A command still waiting to be written is taken back by the abort; one already written is not.
      controller.abort();
      const late = await Promise.race([sent.then((id) => ({ id }), (error: unknown) => ({ error })), new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]);
      if (late === undefined || 'error' in late) {
        sent.catch(() => undefined);
        if (late !== undefined && late.error instanceof AbortError) throw new PublishError('NOT_PUBLISHED', `Redis was not reachable within publishTimeout (${this.settings.publishTimeout} ms)`);
        throw new PublishError('UNCONFIRMED', `Redis did not confirm the publish within publishTimeout (${this.settings.publishTimeout} ms)`);
      }
      outcome = late.id;
    }
    this.reportHealthy();
    this.keepFor(key);
    return { id: String(outcome) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wanted.clear();
    const readers = await Promise.allSettled(this.readers.values());
    await Promise.all(readers.map((reader) => (reader.status === 'fulfilled' ? reader.value.stop() : undefined)));
    await this.closeLink();
  }

  /** Standalone Redis: one XREAD reads every shard. Cluster: a shard's streams share a slot, not the others'. */
  private readerSlot(shard: number): number {
    return this.link.cluster ? shard : -1;
  }

  /** The wake stream of the reader that reads the shard: in the shard's slot under Cluster, in shard 0's for the one standalone reader. */
  private wakeKeyOf(shard: number): string {
    return wakeKey(this.settings.prefix, this.link.cluster ? shard : 0, this.node);
  }

  private readerOf(shard: number): Promise<StreamReader> {
    const slot = this.readerSlot(shard);
    let reader = this.readers.get(slot);
    if (reader === undefined) {
      reader = this.link.duplicate(this.reportError).then((link) => new StreamReader(link, this.wakeKeyOf(shard), (topic, _id, fields) => this.entry(topic, fields), this.reportError, this.reportHealthy));
      // A reader that could not connect is tried again by the next follow.
      reader.catch(() => this.readers.delete(slot));
      this.readers.set(slot, reader);
    }
    return reader;
  }

  /** An entry in the reader's wake stream ends its blocked XREAD, so that the next one reads the new stream too. */
  private async wakeReader(shard: number): Promise<void> {
    const key = this.wakeKeyOf(shard);
    await this.link.send(key, ['XADD', key, 'MAXLEN', '1', '*', 'w', '1']);
    await this.link.send(key, ['PEXPIRE', key, String(this.settings.retention)]);
  }

  private entry(topic: string, fields: readonly Buffer[]): void {
    const message = messageOf(topic, fields);
    if (message !== undefined && this.wanted.has(topic)) this.deliver(message);
  }

  /** A stream nobody publishes to goes away after `retention`; refreshed at most every quarter of it per topic. */
  private keepFor(key: string): void {
    const now = Date.now();
    if (now - (this.expiresSet.get(key) ?? 0) < this.settings.retention / 4) return;
    if (this.expiresSet.size >= 65536) this.expiresSet.clear();
    this.expiresSet.set(key, now);
    this.link.send(key, ['PEXPIRE', key, String(this.settings.retention)]).catch(() => this.expiresSet.delete(key));
  }
}
