/**
 * What a client tells about its WebSockets: `node:diagnostics_channel`
 * messages, named as the servers' (wstack:open, wstack:close, wstack:error,
 * wstack:rejection) under `wstack:client:`. Published by every transport's
 * `connect` (core's connectOver), so by wstack's `connect` for each
 * transport it tries; only while someone subscribes.
 */
import diagnostics from 'node:diagnostics_channel';
import { HandshakeError } from '@wstack/protocol';
import type { Transport } from './carrier.js';
import type { WebSocketConnection } from './connection.js';

export const CLIENT_CHANNELS = {
  /** { connection, transport, url, protocol, extensions } */
  open: diagnostics.channel('wstack:client:open'),
  /** { connection, transport, url, code, reason, wasClean, durationMs } */
  close: diagnostics.channel('wstack:client:close'),
  /** { connection, transport, url, error } — a connection that failed (the close follows). */
  error: diagnostics.channel('wstack:client:error'),
  /** { transport, url, error, status } — a handshake that failed: refused (status is the server's answer), timed out, unreachable or aborted. */
  failure: diagnostics.channel('wstack:client:failure'),
} as const;

/**
 * Publishes the open, and the close (with the error before it) when
 * someone subscribed to those at the open: a connection nobody watches
 * gets no listener.
 */
export function publishClientOpen(connection: WebSocketConnection, url: string): void {
  const { transport } = connection;
  if (CLIENT_CHANNELS.open.hasSubscribers) CLIENT_CHANNELS.open.publish({ connection, transport, url, protocol: connection.protocol, extensions: connection.extensions });
  if (!CLIENT_CHANNELS.close.hasSubscribers && !CLIENT_CHANNELS.error.hasSubscribers) return;
  const since = performance.now();
  connection.once('close', ({ code, reason, wasClean, error }) => {
    if (error !== undefined && CLIENT_CHANNELS.error.hasSubscribers) CLIENT_CHANNELS.error.publish({ connection, transport, url, error });
    if (CLIENT_CHANNELS.close.hasSubscribers) CLIENT_CHANNELS.close.publish({ connection, transport, url, code, reason, wasClean, durationMs: performance.now() - since });
  });
}

/** Publishes a handshake that failed; `status` is the HTTP status of a refusal (a HandshakeError's), when there was one. */
export function publishClientFailure(transport: Transport, url: string, error: unknown): void {
  if (!CLIENT_CHANNELS.failure.hasSubscribers) return;
  const refused = error instanceof HandshakeError && error.code === 'UNEXPECTED_STATUS';
  CLIENT_CHANNELS.failure.publish({ transport, url, error, status: refused ? error.status : undefined });
}
