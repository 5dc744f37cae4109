/**
 * The server's decision on a WebSocket request, the same for every
 * transport: route by path, check the Origin, authenticate, choose a
 * subprotocol. Each transport validates its own framing of the request
 * (HTTP/1.1 upgrade headers, HTTP/2 and HTTP/3 pseudo-headers), builds an
 * UpgradeRequest, and asks `decideUpgrade`.
 */
import type { IncomingMessage } from 'node:http';
import type { Transport } from './carrier.js';
import type { ConnectionOptions, WebSocketConnection } from './connection.js';
import { type DeflateParams, type ExtensionOffer, acceptServerExtensions, selectSubprotocol, type PerMessageDeflateSetting } from '@wstack/protocol';
import type { Tunnel } from './tunnel.js';

export interface UpgradeRequest {
  transport: Transport;
  /** The request target: path and query, e.g. '/chat?room=1'. */
  path: string;
  /** The pathname alone, e.g. '/chat'. */
  pathname: string;
  /** Host (HTTP/1.1) or :authority (HTTP/2, HTTP/3). */
  authority: string;
  origin: string | undefined;
  /** Header fields with lowercase names; repeated fields joined with ', '. */
  headers: Readonly<Record<string, string>>;
  /** Subprotocols the client offered, in its order of preference. */
  protocols: readonly string[];
  /** Extensions the client offered. */
  extensions: readonly ExtensionOffer[];
  /**
   * The peer's IP address. Over HTTP/1.1 it is asked of the socket when
   * first read (as `socket.remoteAddress` is): read it while the connection
   * is open, since a socket that has closed no longer says.
   */
  readonly remoteAddress: string | undefined;
  /** Over HTTP/1.1, node:http's own request object, for APIs built on it (wstack/ws hands it to ws-style hooks). */
  readonly incomingMessage?: IncomingMessage;
}

/** Header fields added to the answer that accepts a WebSocket (101 or 200), e.g. Set-Cookie; a name with several values repeats. */
export type AnswerHeaders = Readonly<Record<string, string | readonly string[]>>;

/** An HTTP answer that refuses the WebSocket. */
export interface Rejection {
  status: number;
  body?: string;
  headers?: Readonly<Record<string, string>>;
}

/** What `authenticate` may return: true or nothing to accept, false for 403, or a rejection of its own. */
export type AuthResult = boolean | undefined | void | Rejection;

export type ConnectionHandler = (connection: WebSocketConnection, request: UpgradeRequest) => void;

export type TunnelHandler = (tunnel: Tunnel, request: UpgradeRequest) => void;

/** A server that hands its WebSockets over as tunnels (tunnel.ts), unparsed: wstack bridge. */
export interface TunnelPolicy {
  /** Receives every accepted WebSocket. */
  open: TunnelHandler;
  /**
   * The `Sec-WebSocket-Extensions` answer, as is; '' for none. A tunnel
   * applies no extension: the peers at its two ends do, so the answer is
   * the far end's.
   */
  extensions(request: UpgradeRequest): string;
}

export interface ServerPolicy {
  /** Receives every WebSocket whose path has no entry in `routes`. */
  handler?: ConnectionHandler;
  /**
   * Handlers by pathname. A path with neither a route nor a `handler` goes
   * to the server's 'connection' listeners alone when it has some, and is
   * refused with 404 when it has none.
   */
  routes?: Readonly<Record<string, ConnectionHandler>>;
  /** Origins allowed (exact match), or a check. Default: any origin. A refused origin gets 403. */
  origins?: readonly string[] | ((origin: string | undefined, request: UpgradeRequest) => boolean);
  /**
   * Subprotocols the server speaks, in no particular order (the client's
   * preference decides), or a function that picks one of the offers. Default: none.
   */
  protocols?: readonly string[] | ((offered: readonly string[], request: UpgradeRequest) => string | null | undefined);
  /** May be async; an exception gives 500. It runs within `handshakeTimeout`. */
  authenticate?: (request: UpgradeRequest) => AuthResult | Promise<AuthResult>;
  /** Milliseconds the whole handshake may take, hooks included; then 408. Default 10 s. */
  handshakeTimeout?: number;
  /** Milliseconds `close()` may take: past them, WebSockets and connections still open are terminated. Default 10 s. */
  shutdownTimeout?: number;
  /**
   * permessage-deflate (RFC 7692): true to accept it with the defaults, or
   * its negotiation and compression options. Default: off.
   */
  perMessageDeflate?: PerMessageDeflateSetting;
  /** Hands every accepted WebSocket over as a tunnel instead of a connection; `handler`, `routes` and `perMessageDeflate` are then not used. */
  tunnel?: TunnelPolicy;
  /** Header fields for the answer that accepts a WebSocket (called once the request is accepted). */
  answerHeaders?: (request: UpgradeRequest) => AnswerHeaders | undefined;
}

export type ServerOptions = ServerPolicy & ConnectionOptions;

export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/**
 * Options for the node:http, node:https and node:http2 servers a transport
 * runs itself, so that `handshakeTimeout` covers the whole handshake: the
 * TLS handshake (node:tls waits 120 s by default) and the request head
 * (node:http's headersTimeout, 60 s, checked only every 30 s: a client that
 * sends its head a byte at a time held a socket for 90 s).
 */
export function handshakeDeadlines(timeout = DEFAULT_HANDSHAKE_TIMEOUT) {
  return {
    handshakeTimeout: timeout,
    headersTimeout: timeout,
    // node:http wants a request timeout of at least the headers timeout (default 300 s).
    requestTimeout: Math.max(300_000, timeout),
    connectionsCheckingInterval: Math.min(1000, timeout),
  };
}

export type Acceptance = AcceptedTerms & ({ handler: ConnectionHandler; tunnel?: undefined } | { tunnel: TunnelHandler; handler?: undefined });

export interface AcceptedTerms {
  /** '' for none. */
  protocol: string;
  /** The `Sec-WebSocket-Extensions` answer; '' for none. */
  extensions: string;
  /** The agreed permessage-deflate parameters, when accepted. */
  deflate?: DeflateParams;
  /** Header fields the policy adds to the answer. */
  headers?: AnswerHeaders;
}

export type Decision = { accept: Acceptance } | { reject: Rejection; error?: unknown };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  426: 'Upgrade Required',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

/** The reason phrase for a status, for HTTP/1.1 answers and default bodies. */
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

export function reject(status: number, body: string = statusText(status), headers?: Record<string, string>): Rejection {
  return headers === undefined ? { status, body } : { status, body, headers };
}

/** The handler of a path: its route, else the policy's `handler`. Own properties only: a path is never a prototype's key. */
export function handlerFor(policy: ServerPolicy, pathname: string): ConnectionHandler | undefined {
  const routes = policy.routes;
  return (routes !== undefined && Object.hasOwn(routes, pathname) ? routes[pathname] : undefined) ?? policy.handler;
}

/**
 * Applies the server's policy to a well-formed WebSocket request. Never
 * throws. `unrouted` takes a path with no handler of its own (the server's
 * 'connection' listeners get the connection then); without it such a path
 * is refused with 404.
 */
export async function decideUpgrade(request: UpgradeRequest, policy: ServerPolicy, unrouted?: ConnectionHandler): Promise<Decision> {
  const tunnel = policy.tunnel;
  const handler = handlerFor(policy, request.pathname) ?? unrouted;
  if (tunnel === undefined && handler === undefined) return { reject: reject(404) };
  try {
    if (!originAllowed(request, policy.origins)) return { reject: reject(403, 'Origin not allowed') };
    if (policy.authenticate !== undefined) {
      const result = await withTimeout(policy.authenticate(request), policy.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT);
      if (result === TIMED_OUT) return { reject: reject(408) };
      if (result === false) return { reject: reject(403) };
      if (typeof result === 'object' && result !== null) return { reject: result };
    }
    const protocol = chooseProtocol(request, policy.protocols);
    const headers = policy.answerHeaders?.(request);
    const added = headers === undefined ? {} : { headers };
    if (tunnel !== undefined) return { accept: { tunnel: tunnel.open, protocol, extensions: tunnel.extensions(request), ...added } };
    return { accept: { handler: handler!, protocol, ...acceptServerExtensions(policy.perMessageDeflate, request.extensions), ...added } };
  } catch (error) {
    return { reject: reject(500), error };
  }
}

function originAllowed(request: UpgradeRequest, origins: ServerPolicy['origins']): boolean {
  if (origins === undefined) return true;
  if (typeof origins === 'function') return origins(request.origin, request);
  return request.origin !== undefined && origins.includes(request.origin);
}

function chooseProtocol(request: UpgradeRequest, protocols: ServerPolicy['protocols']): string {
  if (protocols === undefined || request.protocols.length === 0) return '';
  const chosen = typeof protocols === 'function' ? protocols(request.protocols, request) : selectSubprotocol(request.protocols, protocols);
  if (chosen === null || chosen === undefined || chosen === '') return '';
  // The answer must be one of the offers (RFC 6455 §4.2.2): a hook that picks anything else is a server bug.
  if (!request.protocols.includes(chosen)) throw new Error(`protocols hook chose ${JSON.stringify(chosen)}, which the client did not offer`);
  return chosen;
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(value: T | Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  if (!(value instanceof Promise)) return Promise.resolve(value);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  return Promise.race([value, timeout]).finally(() => clearTimeout(timer));
}
