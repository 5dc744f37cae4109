/**
 * What a server tells about its WebSockets: `node:diagnostics_channel`
 * messages for open, close, error and refused handshakes (published only
 * while someone subscribes), and live counts per transport for `stats()`:
 * WebSockets, and the messages and payload bytes they carried. (The
 * clients' channels, `wstack:client:*`, are core's CLIENT_CHANNELS.)
 */
import diagnostics from 'node:diagnostics_channel';
import type { MessageCounts, Rejection, Transport, UpgradeRequest, WebSocketConnection } from '@wstack/core';

export const CHANNELS = {
  /** { connection, transport, path, protocol, extensions } */
  open: diagnostics.channel('wstack:open'),
  /** { connection, transport, path, code, reason, wasClean, durationMs } */
  close: diagnostics.channel('wstack:close'),
  /** { connection, transport, path, error } — a connection that failed (the close follows). */
  error: diagnostics.channel('wstack:error'),
  /** { transport, path, status, error } — a refused handshake; path is missing when the request itself was invalid. */
  rejection: diagnostics.channel('wstack:rejection'),
} as const;

/**
 * One transport's counts since the server started. Messages and bytes are
 * those of its WebSockets, open and closed: `messagesIn` and `bytesIn` from
 * the clients, `messagesOut` and `bytesOut` to them (`publish` included),
 * bytes as the application sees them (payload before compression and once
 * inflated, without framing).
 */
export interface TransportStats extends MessageCounts {
  /** WebSockets open now. */
  open: number;
  /** WebSockets opened since the server started. */
  opened: number;
  /** Of those, the ones that ended without a clean closing handshake. */
  failed: number;
}

export interface ServerStats {
  open: number;
  rejected: number;
  byTransport: Record<Transport, TransportStats>;
}

const MESSAGE_COUNTS = ['messagesIn', 'bytesIn', 'messagesOut', 'bytesOut'] as const;

const zero = (): TransportStats => ({ open: 0, opened: 0, failed: 0, messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 });

export class Observer {
  /** The counts of each transport, messages and bytes of the closed WebSockets only: the open ones' are added by `stats`. */
  private readonly byTransport: Record<Transport, TransportStats> = { 'http/1.1': zero(), h2: zero(), h3: zero() };
  private readonly openByTransport: Record<Transport, Set<WebSocketConnection>> = { 'http/1.1': new Set(), h2: new Set(), h3: new Set() };
  private rejected = 0;

  opened(connection: WebSocketConnection, request: UpgradeRequest): void {
    const { transport } = connection;
    const { path } = request;
    const counts = this.byTransport[transport];
    const open = this.openByTransport[transport];
    counts.open++;
    counts.opened++;
    open.add(connection);
    const since = performance.now();
    if (CHANNELS.open.hasSubscribers) CHANNELS.open.publish({ connection, transport, path, protocol: connection.protocol, extensions: connection.extensions });
    connection.once('close', ({ code, reason, wasClean, error }) => {
      counts.open--;
      if (!wasClean) counts.failed++;
      open.delete(connection);
      addCounts(counts, connection.messageCounts);
      if (error !== undefined && CHANNELS.error.hasSubscribers) CHANNELS.error.publish({ connection, transport, path, error });
      if (CHANNELS.close.hasSubscribers) CHANNELS.close.publish({ connection, transport, path, code, reason, wasClean, durationMs: performance.now() - since });
    });
  }

  refused(rejection: Rejection, request: UpgradeRequest | undefined, error: unknown): void {
    this.rejected++;
    if (CHANNELS.rejection.hasSubscribers) CHANNELS.rejection.publish({ transport: request?.transport, path: request?.path, status: rejection.status, error });
  }

  stats(): ServerStats {
    const byTransport = structuredClone(this.byTransport);
    for (const transport of Object.keys(byTransport) as Transport[]) {
      for (const connection of this.openByTransport[transport]) addCounts(byTransport[transport], connection.messageCounts);
    }
    const open = Object.values(byTransport).reduce((sum, counts) => sum + counts.open, 0);
    return { open, rejected: this.rejected, byTransport };
  }
}

function addCounts(to: MessageCounts, from: MessageCounts): void {
  for (const name of MESSAGE_COUNTS) to[name] += from[name];
}
