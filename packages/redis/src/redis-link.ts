/**
 * One way to send commands to a standalone Redis (or Valkey) and to a Redis
 * Cluster: node-redis routes a cluster's command by its first key, a
 * standalone client's as it comes. Readers get links of their own, since a
 * blocking XREAD holds its connection.
 */
import { RESP_TYPES } from '@redis/client';

type Argument = string | Buffer;

/** What is used of node-redis's client (createClient). */
export interface StandaloneClient {
  sendCommand(args: readonly Argument[], options?: CommandOptions): Promise<unknown>;
  duplicate(): StandaloneClient;
  connect(): Promise<unknown>;
  destroy(): void;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly isOpen: boolean;
}

/** What is used of node-redis's cluster client (createCluster). */
export interface ClusterClient {
  sendCommand(firstKey: Argument | undefined, isReadonly: boolean | undefined, args: readonly Argument[], options?: CommandOptions): Promise<unknown>;
  duplicate(): ClusterClient;
  connect(): Promise<unknown>;
  destroy(): void;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly isOpen: boolean;
  readonly masters: readonly unknown[];
}

export type RedisClient = StandaloneClient | ClusterClient;

interface CommandOptions {
  abortSignal?: AbortSignal;
  typeMapping?: object;
}

/** Bulk strings as Buffers (payloads are bytes), maps as Maps (RESP3 answers XREAD with one). */
const AS_BYTES = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.MAP]: Map } };

export class RedisLink {
  readonly cluster: boolean;

  constructor(readonly client: RedisClient) {
    this.cluster = 'masters' in client;
  }

  /** Sends a command about `key`; strings come back as Buffers when `bytes` is set. */
  send(key: string, args: readonly Argument[], options: { abortSignal?: AbortSignal; bytes?: boolean } = {}): Promise<unknown> {
    const commandOptions: CommandOptions = { ...(options.bytes ? AS_BYTES : {}), ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) };
    if (this.cluster) return (this.client as ClusterClient).sendCommand(key, false, args, commandOptions);
    return (this.client as StandaloneClient).sendCommand(args, commandOptions);
  }

  /** A connected link of its own, reporting its errors to `onError`. */
  async duplicate(onError: (error: Error) => void): Promise<RedisLink> {
    const client = this.client.duplicate();
    client.on('error', onError);
    await client.connect();
    return new RedisLink(client);
  }
}
