/**
 * Topics that span processes. Subscriptions stay in this process (a
 * `Topics`); a relay carries every publish to each process that follows the
 * topic, this one included, where it is framed once for the subscribers
 * there. A process follows a topic only while it has subscribers to it.
 * The relay decides what a publish's promise means (@wstack/redis: stored
 * in Redis; workers: handed to every worker by the primary process).
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '@wstack/protocol';
import { PreparedMessage } from './prepared-message.js';
import type { SendData } from './send-data.js';
import { Topics, type PublishOptions, type Subscriber, type TopicsLike, type TopicsOptions } from './topics.js';

/** One published message as relays carry it. */
export interface RelayedMessage {
  readonly topic: string;
  /** The payload: text or bytes as published; bytes once it crossed a process. */
  readonly data: Uint8Array | string;
  readonly binary: boolean;
  /** False when published with `compress: false`. */
  readonly compress: boolean;
  /** Present when published with `except`: names the publish in the process that made it. */
  readonly mark?: string;
}

/** What carries messages between processes. */
export interface TopicRelay<Published> {
  /** Starts delivering the topic; resolves once every message published after that is sure to arrive. */
  follow(topic: string): Promise<void>;
  /** Stops delivering the topic. */
  unfollow(topic: string): void;
  /** Carries the message to every process that follows its topic, in publish order per publisher. */
  publish(message: RelayedMessage): Promise<Published>;
  close(): Promise<void>;
}

/** Makes the relay, given where it delivers what it receives. */
export type RelayFactory<Published> = (deliver: (message: RelayedMessage) => void) => TopicRelay<Published>;

export class RelayedTopics<Published> implements TopicsLike<Promise<Published>> {
  private readonly local: Topics;
  private readonly relay: TopicRelay<Published>;
  private readonly following = new Set<Promise<void>>();
  /** Subscribers left out of publishes of ours still on their way, by mark. */
  private readonly excepted = new Map<string, { topic: string; subscriber: Subscriber }>();
  private readonly origin = randomBytes(6).toString('base64url');
  private sequence = 0;
  private closed = false;

  constructor(relayFactory: RelayFactory<Published>, options: Omit<TopicsOptions, 'onActive'> = {}) {
    this.local = new Topics({ ...options, onActive: (topic, active) => this.activate(topic, active) });
    this.relay = relayFactory((message) => this.deliver(message));
  }

  subscribe(connection: Subscriber, topic: string): boolean {
    return this.local.subscribe(connection, topic);
  }

  unsubscribe(connection: Subscriber, topic: string): boolean {
    return this.local.unsubscribe(connection, topic);
  }

  subscriptions(connection: Subscriber): string[] {
    return this.local.subscriptions(connection);
  }

  subscriberCount(topic: string): number {
    return this.local.subscriberCount(topic);
  }

  get topics(): string[] {
    return this.local.topics;
  }

  /** Resolves once every topic subscribed to so far is followed: what is published from then on arrives. */
  async ready(): Promise<void> {
    while (this.following.size > 0) await Promise.all(this.following);
  }

  /**
   * Publishes to the topic's subscribers in every process that shares the
   * relay; the promise says what became of it (see the relay).
   */
  async publish(topic: string, data: SendData | PreparedMessage, options: PublishOptions = {}): Promise<Published> {
    if (this.closed) throw new UsageError('INVALID_STATE', 'these topics are closed');
    if (typeof topic !== 'string') throw new TypeError(`a topic is a string, got ${typeof topic}`);
    const message = relayedMessage(topic, data, options);
    const { except } = options;
    if (except === undefined || this.local.subscriptions(except).indexOf(topic) < 0) return this.relay.publish(message);
    const mark = `${this.origin}.${++this.sequence}`;
    this.excepted.set(mark, { topic, subscriber: except });
    try {
      return await this.relay.publish({ ...message, mark });
    } catch (error) {
      this.excepted.delete(mark);
      throw error;
    }
  }

  /** Stops relaying; the subscriptions stay with their connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.relay.close();
  }

  private deliver(message: RelayedMessage): void {
    let except: Subscriber | undefined;
    if (message.mark !== undefined) {
      except = this.excepted.get(message.mark)?.subscriber;
      this.excepted.delete(message.mark);
    }
    this.local.publish(message.topic, message.data, { binary: message.binary, ...(message.compress ? {} : { compress: false }), ...(except ? { except } : {}) });
  }

  private activate(topic: string, active: boolean): void {
    if (this.closed) return;
    if (!active) {
      this.relay.unfollow(topic);
      for (const [mark, entry] of this.excepted) if (entry.topic === topic) this.excepted.delete(mark);
      return;
    }
    const followed: Promise<void> = this.relay.follow(topic).then(
      () => void this.following.delete(followed),
      () => void this.following.delete(followed),
    );
    this.following.add(followed);
  }
}

function relayedMessage(topic: string, data: SendData | PreparedMessage, options: PublishOptions): RelayedMessage {
  const compress = options.compress !== false;
  if (data instanceof PreparedMessage) return { topic, data: data.data, binary: data.binary, compress };
  if (typeof data === 'string') return { topic, data, binary: options.binary ?? false, compress };
  // A copy: the relay may write it out later, and the caller owns its buffer.
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice() : new Uint8Array(data.slice(0));
  return { topic, data: bytes, binary: options.binary ?? true, compress };
}
