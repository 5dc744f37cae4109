/**
 * Topics: named groups of connections for publish/subscribe. A published
 * message is framed once (a PreparedMessage) and handed to every open
 * subscriber, whatever its transport. A subscriber that does not keep up —
 * its send buffer already above `maxBufferedAmount` — is a slow receiver:
 * by default it misses the message ('skip'); with 'close' it is closed with
 * 1008, so that one slow reader never makes the server buffer without bound.
 */
import { UsageError } from '@wstack/protocol';
import { PreparedMessage } from './prepared-message.js';
import type { SendData, SendOptions } from './send-data.js';

/** What Topics needs of a member: a Subscriber, seen from here without importing it. */
export interface Subscriber {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: PreparedMessage, options?: SendOptions): boolean;
  close(code?: number, reason?: string): void;
  once(event: 'close', listener: () => void): unknown;
}

export type SlowReceiverPolicy = 'skip' | 'close';

export interface TopicsOptions {
  /** A subscriber with more than this many bytes waiting to be sent is slow. Default 1 MiB. */
  maxBufferedAmount?: number;
  /** What a slow subscriber gets: 'skip' (default) misses the message, 'close' closes it with 1008. */
  slowReceivers?: SlowReceiverPolicy;
  /**
   * Called when a topic gets its first subscriber (true) and when it loses
   * its last (false): how a relay across processes follows only the topics
   * this process serves.
   */
  onActive?: (topic: string, active: boolean) => void;
}

export interface PublishOptions {
  /** Send as binary; default: true for bytes, false for strings. */
  binary?: boolean;
  /** False sends the message uncompressed even where permessage-deflate was negotiated. Default true. */
  compress?: boolean;
  /** A subscriber that does not get the message, typically its sender. */
  except?: Subscriber;
}

/** What became of one publish: subscribers that got the message, missed it as slow, or were closed as slow. */
export interface PublishResult {
  sent: number;
  skipped: number;
  closed: number;
}

/**
 * What a server and its connections need of topics: this process's
 * subscriptions and a publish. `Topics` keeps them in one process;
 * `RelayedTopics` (and @wstack/redis on it) carries publishes across
 * processes, and its publish returns a promise.
 */
export interface TopicsLike<Published = unknown> {
  subscribe(connection: Subscriber, topic: string): boolean;
  unsubscribe(connection: Subscriber, topic: string): boolean;
  subscriptions(connection: Subscriber): string[];
  /** How many connections of this process the topic has. */
  subscriberCount(topic: string): number;
  /** The topics with at least one subscriber in this process. */
  readonly topics: string[];
  publish(topic: string, data: SendData | PreparedMessage, options?: PublishOptions): Published;
}

export const DEFAULT_MAX_BUFFERED_AMOUNT = 1024 * 1024;
const POLICY_VIOLATION = 1008;

export class Topics implements TopicsLike<PublishResult> {
  readonly maxBufferedAmount: number;
  readonly slowReceivers: SlowReceiverPolicy;
  private readonly members = new Map<string, Set<Subscriber>>();
  private readonly topicsOf = new Map<Subscriber, Set<string>>();
  private readonly onActive: ((topic: string, active: boolean) => void) | undefined;

  constructor(options: TopicsOptions = {}) {
    this.onActive = options.onActive;
    this.maxBufferedAmount = options.maxBufferedAmount ?? DEFAULT_MAX_BUFFERED_AMOUNT;
    this.slowReceivers = options.slowReceivers ?? 'skip';
    if (!(this.maxBufferedAmount >= 0)) throw new RangeError(`maxBufferedAmount must be a number >= 0, got ${options.maxBufferedAmount}`);
    if (this.slowReceivers !== 'skip' && this.slowReceivers !== 'close') throw new RangeError(`slowReceivers must be 'skip' or 'close', got ${String(options.slowReceivers)}`);
  }

  /** Adds the connection to the topic (until it unsubscribes or closes); false when it already was a member. */
  subscribe(connection: Subscriber, topic: string): boolean {
    if (connection.readyState > 1) return false;
    let topics = this.topicsOf.get(connection);
    if (topics === undefined) {
      this.topicsOf.set(connection, (topics = new Set()));
      connection.once('close', () => this.forget(connection));
    }
    if (topics.has(topic)) return false;
    topics.add(topic);
    let members = this.members.get(topic);
    if (members === undefined) {
      this.members.set(topic, (members = new Set()));
      this.onActive?.(topic, true);
    }
    members.add(connection);
    return true;
  }

  /** Removes the connection from the topic; false when it was not a member. */
  unsubscribe(connection: Subscriber, topic: string): boolean {
    const topics = this.topicsOf.get(connection);
    if (topics === undefined || !topics.delete(topic)) return false;
    this.leave(connection, topic);
    return true;
  }

  /** The topics the connection is subscribed to. */
  subscriptions(connection: Subscriber): string[] {
    return [...(this.topicsOf.get(connection) ?? [])];
  }

  /** How many connections the topic has. */
  subscriberCount(topic: string): number {
    return this.members.get(topic)?.size ?? 0;
  }

  /** The topics with at least one subscriber. */
  get topics(): string[] {
    return [...this.members.keys()];
  }

  /** Sends the message to every open subscriber of the topic, framed once for all of them. */
  publish(topic: string, data: SendData | PreparedMessage, options: PublishOptions = {}): PublishResult {
    const result: PublishResult = { sent: 0, skipped: 0, closed: 0 };
    const members = this.members.get(topic);
    if (members === undefined) return result;
    const message = data instanceof PreparedMessage ? data : new PreparedMessage(data, options.binary === undefined ? {} : { binary: options.binary });
    const sendOptions = options.compress === false ? { compress: false } : undefined;
    // A snapshot: a send can fail synchronously and close a member, which leaves the set.
    for (const member of [...members]) {
      if (member === options.except || member.readyState !== 1) continue;
      if (member.bufferedAmount > this.maxBufferedAmount) {
        if (this.slowReceivers === 'close') {
          member.close(POLICY_VIOLATION, 'too slow: messages backed up');
          result.closed++;
        } else result.skipped++;
        continue;
      }
      member.send(message, sendOptions);
      result.sent++;
    }
    return result;
  }

  private forget(connection: Subscriber): void {
    for (const topic of this.topicsOf.get(connection)!) this.leave(connection, topic);
    this.topicsOf.delete(connection);
  }

  private leave(connection: Subscriber, topic: string): void {
    const members = this.members.get(topic)!;
    members.delete(connection);
    if (members.size === 0) {
      this.members.delete(topic);
      this.onActive?.(topic, false);
    }
  }
}

/** The topics a connection was given; a connection without any cannot subscribe. */
export function topicsGiven(topics: TopicsLike | undefined): TopicsLike {
  if (topics === undefined) throw new UsageError('INVALID_STATE', 'no topics on this connection: give the server a `topics: new Topics()` option (wstack\'s createServer does)');
  return topics;
}
