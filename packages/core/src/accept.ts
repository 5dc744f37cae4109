/**
 * The server's side of a handshake, the same for every transport: refuse
 * while shutting down, check the request, apply the policy (decideUpgrade),
 * answer, and make a connection or a tunnel of the carrier. A transport
 * brings what differs: how a request is checked (RFC 6455 §4.2.1 headers,
 * RFC 8441 §4 and RFC 9220 §3 pseudo-header fields), how it is answered
 * (101, or 200 on the stream) and what it ties the WebSocket to (a session).
 */
import { EventEmitter } from 'node:events';
import { CloseCode, compressionOptions } from '@wstack/protocol';
import type { Carrier } from './carrier.js';
import { WebSocketConnection } from './connection.js';
import { Tunnel } from './tunnel.js';
import { decideUpgrade, handlerFor, reject, type AcceptedTerms, type Rejection, type ServerOptions, type UpgradeRequest } from './upgrade-policy.js';

/** The events of every transport's WebSocketServer. */
export interface ServerEvents {
  connection: [connection: WebSocketConnection, request: UpgradeRequest];
  /** A handshake was refused; `error` is set when a hook threw. `request` is missing when the request itself was invalid. */
  rejection: [rejection: Rejection, request: UpgradeRequest | undefined, error: unknown];
}

/** One handshake request as a transport received it. */
export interface IncomingHandshake {
  /** The request, or why it is not a well-formed WebSocket handshake. */
  check(): { request: UpgradeRequest } | { reject: Rejection };
  /** The peer went away while the policy was deciding. */
  readonly gone: boolean;
  /** Sends the success answer with the subprotocol, extensions and header fields chosen, and hands over the carrier the WebSocket rides. */
  answer(terms: Pick<AcceptedTerms, 'protocol' | 'extensions' | 'headers'>): Carrier;
  /** Sends the refusal. */
  refuse(rejection: Rejection): void;
  /** What the carrier became: the transport ties it to its session, if it has one. */
  opened?(opened: WebSocketConnection | Tunnel): void;
}

/**
 * What the three transports' servers share: the handshake sequence, the
 * set of open WebSockets, and the graceful shutdown of those.
 */
/** What a graceful shutdown did: WebSockets that closed (with their closing handshake, or as their peer went), and those still open at its deadline, terminated. */
export interface ShutdownResult {
  closed: number;
  terminated: number;
}

export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;

export abstract class TransportServer extends EventEmitter<ServerEvents> {
  /** Open WebSockets of this server. */
  readonly connections = new Set<WebSocketConnection>();
  protected closing = false;
  /** Resolves at the shutdown's deadline, once close() began. */
  private deadline: Promise<void> | undefined;

  /** Other APIs on this server, each deciding the requests it claims (delegate). */
  private readonly delegates: { claims: (request: UpgradeRequest) => boolean; policy: ServerOptions }[] = [];

  /**
   * Whether a WebSocket on a path with no route is accepted when there is no
   * `handler` either: by default when this server has a 'connection'
   * listener, which then gets it (as with ws). A server that forwards
   * another's 'connection' events, as wstack's `createServer` does, points
   * it at its own listeners.
   */
  acceptsUnrouted: () => boolean = () => this.listenerCount('connection') > 0;

  constructor(protected readonly options: ServerOptions) {
    super();
  }

  /**
   * Whether a WebSocket on this path would be handed to the application: a
   * route, the `handler`, a tunnel or `acceptsUnrouted`. Decided before
   * anything is written, so that a path this server does not serve can be
   * left to someone else; the policy's other checks (origin, authenticate)
   * come later and may still refuse it.
   */
  servesPath(pathname: string): boolean {
    return this.options.tunnel !== undefined || handlerFor(this.options, pathname) !== undefined || this.acceptsUnrouted();
  }

  /**
   * Lets another API decide the requests it claims with a policy of its own
   * (its handler, subprotocols, checks and connection limits), before this
   * server's own: wstack/ws's WebSocketServer on a server of wstack. The
   * server's transport, deadlines and shutdown stay its own. Returns the
   * function that takes the delegation back.
   */
  delegate(claims: (request: UpgradeRequest) => boolean, policy: ServerOptions): () => void {
    const entry = { claims, policy };
    this.delegates.push(entry);
    return () => {
      const at = this.delegates.indexOf(entry);
      if (at !== -1) this.delegates.splice(at, 1);
    };
  }

  /**
   * Graceful shutdown: refuses new handshakes (503), closes every WebSocket
   * with 1001 (going away), stops what the transport runs, and resolves
   * once all of that is done. `shutdownTimeout` after it began, what is
   * still open is terminated, and counted in the result.
   */
  abstract close(): Promise<ShutdownResult>;

  /** Runs the handshake to its end: a connection or tunnel handed to the application, or a refusal. */
  protected async accept(handshake: IncomingHandshake): Promise<void> {
    if (this.closing) return this.refuse(handshake, reject(503, 'Server shutting down'), undefined, undefined);
    const checked = handshake.check();
    if ('reject' in checked) return this.refuse(handshake, checked.reject, undefined, undefined);
    const { request } = checked;
    const delegate = this.delegates.find((entry) => entry.claims(request));
    // A delegate's policy decides alone; its connection options go over the server's.
    const options = delegate === undefined ? this.options : { ...this.options, ...delegate.policy };
    const unrouted = delegate === undefined && this.acceptsUnrouted() ? toListeners : undefined;
    const decision = await decideUpgrade(request, delegate?.policy ?? this.options, unrouted);
    if (handshake.gone) return;
    if ('reject' in decision) return this.refuse(handshake, decision.reject, request, decision.error);
    if (this.closing) return this.refuse(handshake, reject(503, 'Server shutting down'), request, undefined);
    const { accept } = decision;
    const carrier = handshake.answer({ protocol: accept.protocol, extensions: accept.extensions, ...(accept.headers ? { headers: accept.headers } : {}) });
    const negotiated = { protocol: accept.protocol, extensions: accept.extensions, path: request.path, headers: request.headers };
    if (accept.tunnel !== undefined) {
      const tunnel = new Tunnel(carrier, negotiated);
      handshake.opened?.(tunnel);
      accept.tunnel(tunnel, request);
      return;
    }
    const connection = new WebSocketConnection(
      'server',
      carrier,
      { ...negotiated, ...(accept.deflate ? { deflate: accept.deflate } : {}) },
      { ...options, compression: compressionOptions(options.perMessageDeflate) },
    );
    handshake.opened?.(connection);
    this.track(connection);
    accept.handler(connection, request);
    this.emit('connection', connection, request);
  }

  /**
   * Refuses new handshakes (503) from now on, closes every WebSocket with
   * 1001, terminates those still open at the deadline, and resolves once
   * they are all closed.
   */
  protected async closeConnections(): Promise<ShutdownResult> {
    this.closing = true;
    const open = [...this.connections];
    let terminated = 0;
    void this.shutdownDeadline().then(() => {
      for (const connection of this.connections) {
        terminated++;
        connection.terminate();
      }
    });
    await Promise.all(open.map(closeGoingAway));
    return { closed: open.length - terminated, terminated };
  }

  /** Resolves `shutdownTimeout` (default 10 s) after the shutdown began; its timer keeps no process alive. */
  protected shutdownDeadline(): Promise<void> {
    return (this.deadline ??= new Promise((resolve) => setTimeout(resolve, this.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT).unref()));
  }

  /**
   * Keeps the connection in `connections` until it closes. A method of its
   * own, so that the listener's scope holds the connection alone and not the
   * handshake's request and socket for the connection's lifetime.
   */
  private track(connection: WebSocketConnection): void {
    this.connections.add(connection);
    connection.on('close', () => this.connections.delete(connection));
  }

  private refuse(handshake: IncomingHandshake, rejection: Rejection, request: UpgradeRequest | undefined, error: unknown): void {
    handshake.refuse(rejection);
    this.emit('rejection', rejection, request, error);
  }
}

/** The handler of a WebSocket that only the 'connection' listeners get: `accept` emits the event after any handler. */
function toListeners(): void {}

/** An open connection (the set holds no closed one) closed with 1001; resolves at its close event. */
function closeGoingAway(connection: WebSocketConnection): Promise<void> {
  return new Promise((resolve) => {
    connection.once('close', () => resolve());
    connection.close(CloseCode.GOING_AWAY, 'server shutting down');
  });
}
