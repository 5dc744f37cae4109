/**
 * What a server tells about its WebSockets: `node:diagnostics_channel`
 * messages for open, close, error and refused handshakes (published only
 * while someone subscribes), and live counts per transport for `stats()`.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Rejection, Transport, UpgradeRequest, WebSocketConnection } from '@wstack/core';

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

export interface TransportStats {
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

export class Observer {
  private readonly byTransport: Record<Transport, TransportStats> = {
    'http/1.1': { open: 0, opened: 0, failed: 0 },
    h2: { open: 0, opened: 0, failed: 0 },
    h3: { open: 0, opened: 0, failed: 0 },
  };
  private rejected = 0;

  opened(connection: WebSocketConnection, request: UpgradeRequest): void {
    const { transport } = connection;
    const { path } = request;
    const counts = this.byTransport[transport];
    counts.open++;
    counts.opened++;
    const since = performance.now();
    if (CHANNELS.open.hasSubscribers) CHANNELS.open.publish({ connection, transport, path, protocol: connection.protocol, extensions: connection.extensions });
    connection.once('close', ({ code, reason, wasClean, error }) => {
      counts.open--;
      if (!wasClean) counts.failed++;
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
    const open = Object.values(byTransport).reduce((sum, counts) => sum + counts.open, 0);
    return { open, rejected: this.rejected, byTransport };
  }
}
