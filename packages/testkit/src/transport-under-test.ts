/**
 * What the conformance suite needs from a transport: a way to open a
 * connected client and server with given options.
 */
import type { ConnectionOptions, ServerOptions, Transport, UpgradeRequest, WebSocketConnection } from '@wstack/core';

export interface ClientOptions extends ConnectionOptions {
  /** Subprotocols to offer. */
  protocols?: readonly string[];
}

export interface PairOptions {
  /** Server policy and connection options; `handler` and `routes` are the suite's own. */
  server?: Omit<ServerOptions, 'handler' | 'routes'>;
  client?: ClientOptions;
  /** Request path; default '/'. */
  path?: string;
}

export interface Pair {
  client: WebSocketConnection;
  server: WebSocketConnection;
  /** What the server's handler saw (undefined where no handshake happens). */
  request: UpgradeRequest | undefined;
}

export interface TransportUnderTest {
  /** Shown in test names. */
  name: string;
  /** The `transport` both connections must report. */
  transport: Transport;
  /** False for carriers without a handshake (in memory): negotiation tests are left out. */
  handshake: boolean;
  open(options?: PairOptions): Promise<Pair>;
  /** Frees servers and sessions once the suite is done. */
  dispose(): Promise<void>;
}
