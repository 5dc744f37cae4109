/**
 * `transport: 'auto'`: the best transport the server speaks, found the way
 * browsers find it. An HTTP/3 or HTTP/2 connection already open to the
 * origin is used first; then HTTP/3 where an `Alt-Svc` answer (RFC 7838)
 * announced it, then the transport that worked last time; otherwise HTTP/3
 * (wss:// only), HTTP/2, HTTP/1.1. The next attempt starts when the one
 * before fails, or after a short head start without an answer (happy
 * eyeballs, RFC 8305 §5 applies the same idea to addresses); the first
 * WebSocket to open wins and any later one is closed. An announced HTTP/3
 * that loses is not tried first again for a while, as browsers mark a
 * broken alternative. When every attempt fails, the error lists them all.
 */
import { Tunnel, type WebSocketConnection } from '@wstack/core';
import { http3Alternative, CLEAR } from './alt-svc.js';

export type Transport = 'h1' | 'h2' | 'h3';

/** How long an attempt runs alone before the next transport starts beside it. */
export const FALLBACK_DELAY = 250;

/** How long HTTP/3 is not tried first after it lost to another transport. */
const BROKEN_FOR = 5 * 60_000;

/** The transport that last worked per origin (scheme, host and port). */
const remembered = new Map<string, Transport>();
/** HTTP/3 alternatives announced per origin, until they expire. */
const alternatives = new Map<string, { port: number; expires: number }>();
/** Origins whose HTTP/3 lost a race, until when. */
const broken = new Map<string, number>();

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

/** What an attempt opens: a WebSocket, or a tunnel for wstack bridge. */
export type Opened = WebSocketConnection | Tunnel;

export type ConnectOver<T extends Opened> = (transport: Transport, signal: AbortSignal) => Promise<T>;

export interface OriginState {
  /** An HTTP/2 session to the origin is open. */
  h2Session: boolean;
  /** A QUIC connection to the origin is open. */
  h3Session: boolean;
  /** HTTP/3 can be tried: a wss:// URL, and the QUIC module loads here. */
  http3Possible: boolean;
}

/** The order to try transports in for this origin. */
export function transportOrder(url: URL, state: OriginState): Transport[] {
  const now = Date.now();
  const h3Broken = (broken.get(url.origin) ?? 0) > now;
  const preference: Transport[] = state.http3Possible && !h3Broken ? ['h3', 'h2', 'h1'] : ['h2', 'h1'];
  let first: Transport | undefined;
  if (state.h3Session && state.http3Possible) first = 'h3';
  else if (state.h2Session) first = 'h2';
  else if (state.http3Possible && !h3Broken && (alternatives.get(url.origin)?.expires ?? 0) > now) first = 'h3';
  else first = remembered.get(url.origin);
  const order = first === undefined ? preference : [first, ...preference.filter((transport) => transport !== first)];
  // A broken HTTP/3 is still worth a last try.
  return state.http3Possible && !order.includes('h3') ? [...order, 'h3'] : order;
}

/** Where to reach the origin over HTTP/3: the port an Alt-Svc answer named, else the same one. */
export function http3Target(url: URL): URL {
  const alternative = alternatives.get(url.origin);
  if (alternative === undefined || alternative.expires <= Date.now()) return url;
  const target = new URL(url);
  target.port = String(alternative.port);
  return target;
}

/** Forgets what worked for each origin and every announced alternative. */
export function forgetTransports(): void {
  remembered.clear();
  alternatives.clear();
  broken.clear();
}

/** Takes note of the HTTP/3 alternative (or `clear`) in a handshake answer. */
function learnAltSvc(url: URL, connection: Opened): void {
  const field = connection.headers?.['alt-svc'];
  if (typeof field !== 'string') return;
  const alternative = http3Alternative(field, url.hostname);
  if (alternative === CLEAR) alternatives.delete(url.origin);
  else if (alternative !== undefined) alternatives.set(url.origin, { port: alternative.port, expires: Date.now() + alternative.maxAge * 1000 });
}

export function connectAuto<T extends Opened>(url: URL, order: readonly Transport[], connectOver: ConnectOver<T>, signal?: AbortSignal, delay = FALLBACK_DELAY): Promise<T> {
  const announced = (alternatives.get(url.origin)?.expires ?? 0) > Date.now();
  return new Promise((resolve, reject) => {
    const attempts: Attempt[] = [];
    const controllers: AbortController[] = [];
    let next = 0;
    let pending = 0;
    let winner: T | undefined;
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
            discard(connection);
            return;
          }
          winner = connection;
          remembered.set(url.origin, transport);
          learnAltSvc(url, connection);
          // An announced HTTP/3 that lost the race is broken for a while; one merely guessed at is not.
          if (transport === 'h3') broken.delete(url.origin);
          else if (announced && order.slice(0, next).includes('h3')) broken.set(url.origin, Date.now() + BROKEN_FOR);
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

function discard(loser: Opened): void {
  if (loser instanceof Tunnel) loser.abort(new Error('another transport won'));
  else loser.close(1001, 'another transport won');
}
