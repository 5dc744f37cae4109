/**
 * WebSocket server over HTTP/1.1 (RFC 6455 §4.2). `attach` and
 * `handleUpgrade` work with the 'upgrade' event of any node:http or
 * node:https server (Express, Fastify and plain servers alike), beside other
 * upgrade listeners; `listen` runs a server of its own.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  TransportServer,
  checkOptions,
  handshakeDeadlines,
  optionNameSet,
  DEFAULT_HIGH_WATER_MARK,
  SERVER_OPTION_NAMES,
  WS_SERVER_OPTION_ADVICE,
  type AcceptedTerms,
  type Carrier,
  type IncomingHandshake,
  type Rejection,
  type ServerOptions,
  type ShutdownResult,
} from '@wstack/core';
import { checkUpgradeRequest, hasToken, type HeaderLimits } from './request-checks.js';
import { switchingProtocols, writeRejection } from './responses.js';
import { SocketCarrier } from './socket-carrier.js';
import { gateUpgrades, type UpgradeEmitter } from './upgrade-gate.js';

export interface Http1ServerOptions extends ServerOptions, HeaderLimits {
  /**
   * An `Alt-Svc` value (RFC 7838) for the 101 answers and, with `listen`,
   * the answers of its `request` listener (not the default 426): e.g.
   * `h3=":443"` when HTTP/3 serves the same WebSockets and requests on the
   * same port.
   */
  altSvc?: string;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  /** Serve wss:// with these (cert, key, ca, …); plain ws:// without. */
  tls?: TlsServerOptions;
  /** Serves ordinary requests (not WebSocket upgrades). Default: 426 Upgrade Required. */
  request?: (request: IncomingMessage, response: ServerResponse) => void;
}

export interface HandleUpgradeOptions {
  /**
   * Other 'upgrade' listeners will see this request: one this server does
   * not serve (see `serves`) is left to them, nothing written, and
   * `handleUpgrade` returns false. Default false: it is refused with 404.
   */
  leaveUnserved?: boolean;
}

const OPTIONS = optionNameSet<Http1ServerOptions>({ ...SERVER_OPTION_NAMES, maxHeaderCount: true, maxHeaderBytes: true, altSvc: true });

const ADVICE = {
  ...WS_SERVER_OPTION_ADVICE,
  port: 'the http1 WebSocketServer does not listen by itself: call listen({ port }), or use createServer({ port }) of wstack',
  host: 'the http1 WebSocketServer does not listen by itself: call listen({ host })',
  server: 'call attach(server)',
  noServer: "not needed: call handleUpgrade(request, socket, head) from an 'upgrade' listener",
};

export class WebSocketServer extends TransportServer {
  /** The options this class takes; any other name is a TypeError. */
  static readonly optionNames: ReadonlySet<string> = OPTIONS;
  declare protected readonly options: Http1ServerOptions;
  private httpServer: HttpServer | undefined;

  constructor(options: Http1ServerOptions = {}) {
    checkOptions(options, OPTIONS, 'the http1 WebSocketServer', ADVICE);
    super(options);
  }

  /**
   * Serves WebSocket upgrades of an existing node:http or node:https server
   * (or node:http2's with `allowHTTP1`), beside its other 'upgrade'
   * listeners: an upgrade this server serves (see `serves`) is taken before
   * they see it; any other is left to them, or refused with 404 when there
   * are none. Several WebSocketServers may be attached to one server.
   */
  attach(server: UpgradeEmitter): this {
    gateUpgrades(server, this);
    return this;
  }

  /**
   * Whether this server takes the upgrade: a WebSocket upgrade (`Upgrade:
   * websocket`) on a path it serves (a route, the `handler`, a tunnel, or
   * any path when it has a 'connection' listener). Decided before anything
   * is written; the origin and `authenticate` may still refuse it later.
   */
  serves(request: Pick<IncomingMessage, 'url' | 'headers'>): boolean {
    const path = request.url ?? '/';
    const query = path.indexOf('?');
    return hasToken(request.headers.upgrade, 'websocket') && this.servesPath(query === -1 ? path : path.slice(0, query));
  }

  /**
   * Takes over an upgrade request: refuses it with an HTTP answer, or
   * completes the handshake and hands a connection to the handler and the
   * 'connection' listeners. With `leaveUnserved`, a request this server
   * does not serve is left alone and false returned.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, options: HandleUpgradeOptions = {}): boolean {
    if (options.leaveUnserved === true && !this.serves(req)) return false;
    void this.accept(new UpgradeHandshake(req, socket, head, this.options));
    return true;
  }

  /**
   * Listens on a server of its own: WebSocket upgrades are served, and any
   * other request goes to `request`, by default 426 Upgrade Required.
   */
  listen(options: ListenOptions = {}): Promise<AddressInfo> {
    const answer426 = (_req: IncomingMessage, res: ServerResponse) => {
      const body = 'This is a WebSocket endpoint.\n';
      res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade, close', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    // Alt-Svc only where the alternative serves the same requests: the default 426 invites nobody elsewhere.
    const given = options.request;
    const altSvc = this.options.altSvc;
    const request =
      given === undefined
        ? answer426
        : (req: IncomingMessage, res: ServerResponse) => {
            if (altSvc !== undefined) res.setHeader('Alt-Svc', altSvc);
            given(req, res);
          };
    const deadlines = handshakeDeadlines(this.options.handshakeTimeout);
    const server = options.tls ? createHttpsServer({ ...deadlines, ...options.tls }, request) : createHttpServer(deadlines, request);
    this.httpServer = server;
    this.attach(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  /** The address of the server started by `listen`. */
  address(): AddressInfo | undefined {
    return (this.httpServer?.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Graceful shutdown: refuses new handshakes, closes every WebSocket with
   * 1001 (going away), and resolves once they are all closed and the server
   * of `listen`, if any, has stopped; at `shutdownTimeout` what is still
   * open (WebSockets, HTTP requests) is cut.
   */
  async close(): Promise<ShutdownResult> {
    const closed = this.closeConnections();
    const server = this.httpServer;
    if (server !== undefined) {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      void this.shutdownDeadline().then(() => server.closeAllConnections());
      await stopped;
    }
    return closed;
  }
}

/** An upgrade request on its socket (RFC 6455 §4.2). */
class UpgradeHandshake implements IncomingHandshake {
  private key = '';
  // Until the carrier takes the socket over, an error only ends the attempt.
  private readonly onError = () => this.socket.destroy();

  constructor(
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
    private readonly options: Http1ServerOptions,
  ) {
    socket.on('error', this.onError);
  }

  check() {
    const checked = checkUpgradeRequest(this.req, this.options);
    if ('key' in checked) {
      this.key = checked.key;
      // Not spread: the request's remoteAddress is a getter, read only when asked.
      Object.assign(checked.request, { incomingMessage: this.req });
    }
    return checked;
  }

  get gone(): boolean {
    return this.socket.destroyed;
  }

  answer(terms: AcceptedTerms): Carrier {
    this.socket.write(switchingProtocols(this.key, terms.protocol, terms.extensions, this.options.altSvc, terms.headers));
    this.socket.off('error', this.onError);
    return new SocketCarrier(this.socket as Socket, this.head, this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
  }

  refuse(rejection: Rejection): void {
    writeRejection(this.socket, rejection);
  }
}
