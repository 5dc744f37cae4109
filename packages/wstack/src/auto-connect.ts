/**
 * `transport: 'auto'`: the best transport the server speaks, found the way
 * browsers find it. A transport that worked for an origin before, or an
 * HTTP/2 session already open to it, is tried first; otherwise HTTP/2, then
 * HTTP/1.1. The next attempt starts when the one before fails, or after a
 * short head start without an answer (happy eyeballs, RFC 8305 §5 applies
 * the same idea to addresses); the first WebSocket to open wins and any
 * later one is closed. When every attempt fails, the error lists them all.
 */
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { WebSocketConnection } from '@wstack/core';
import type { SessionPool } from '@wstack/http2';

export type Transport = 'h1' | 'h2';

/** How long an attempt runs alone before the next transport starts beside it. */
export const FALLBACK_DELAY = 250;

/** Preference when nothing is known about an origin. */
const PREFERENCE: readonly Transport[] = ['h2', 'h1'];

/** The transport that last worked per origin (scheme, host and port). */
const remembered = new Map<string, Transport>();

export interface Attempt {
  transport: Transport;
  error: unknown;
}

/** Every transport failed; `attempts` says how each one did. */
export class ConnectError extends AggregateError {
  override readonly name = 'ConnectError';
  readonly code = 'CONNECT_FAILED';

  constructor(
    url: string,
    readonly attempts: readonly Attempt[],
  ) {
    super(
      attempts.map((attempt) => attempt.error),
      `no transport reached ${url}: ${attempts.map(({ transport, error }) => `${transport}: ${(error as Error).message ?? String(error)}`).join('; ')}`,
    );
  }
}

export type ConnectOver = (transport: Transport, signal: AbortSignal) => Promise<WebSocketConnection>;

/** The order to try transports in for this origin. */
export function transportOrder(url: URL, pool: SessionPool, tls: TlsConnectionOptions | undefined): Transport[] {
  const known = pool.hasSession(url, tls) ? 'h2' : remembered.get(url.origin);
  return known === undefined ? [...PREFERENCE] : [known, ...PREFERENCE.filter((transport) => transport !== known)];
}

/** Forgets what worked for each origin. */
export function forgetTransports(): void {
  remembered.clear();
}

export function connectAuto(url: URL, order: readonly Transport[], connectOver: ConnectOver, signal?: AbortSignal, delay = FALLBACK_DELAY): Promise<WebSocketConnection> {
  return new Promise((resolve, reject) => {
    const attempts: Attempt[] = [];
    const controllers: AbortController[] = [];
    let next = 0;
    let pending = 0;
    let winner: WebSocketConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      for (const controller of controllers) controller.abort(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const start = () => {
      clearTimeout(timer);
      if (winner !== undefined || next === order.length) return;
      const transport = order[next++]!;
      const controller = new AbortController();
      controllers.push(controller);
      if (signal?.aborted) controller.abort(signal.reason);
      pending++;
      connectOver(transport, controller.signal).then(
        (connection) => {
          pending--;
          if (winner !== undefined) {
            // A later transport opened too: it is not needed.
            connection.close(1001, 'another transport won');
            return;
          }
          winner = connection;
          remembered.set(url.origin, transport);
          finish();
          for (const other of controllers) if (other !== controller) other.abort(new Error('another transport won'));
          resolve(connection);
        },
        (error: unknown) => {
          pending--;
          if (winner !== undefined) return;
          attempts.push({ transport, error });
          if (next < order.length && !signal?.aborted) return start();
          if (pending === 0) {
            finish();
            reject(attempts.length === 1 ? attempts[0]!.error : new ConnectError(url.href, attempts));
          }
        },
      );
      if (next < order.length) timer = setTimeout(start, delay);
    };
    start();
  });
}
