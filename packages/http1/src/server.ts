/**
 * WebSocket server over HTTP/1.1 (RFC 6455 §4.2). `handleUpgrade` works with
 * the 'upgrade' event of any node:http or node:https server (Express,
 * Fastify and plain servers alike); `listen` runs a server of its own.
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode, compressionOptions } from '@wstack/protocol';
import { decideUpgrade, DEFAULT_HIGH_WATER_MARK, reject, Tunnel, WebSocketConnection, type Rejection, type ServerOptions, type UpgradeRequest } from '@wstack/core';
import { checkUpgradeRequest, type HeaderLimits } from './request-checks.js';
import { switchingProtocols, writeRejection } from './responses.js';
import { SocketCarrier } from './socket-carrier.js';

export interface Http1ServerOptions extends ServerOptions, HeaderLimits {
  /** An `Alt-Svc` value (RFC 7838) for the 101 answers and, with `listen`, the plain ones: e.g. `h3=":443"` when HTTP/3 listens on the same port. */
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

export interface Http1ServerEvents {
  connection: [connection: WebSocketConnection, request: UpgradeRequest];
  /** A handshake was refused; `error` is set when a hook threw. `request` is missing when the request itself was invalid. */
  rejection: [rejection: Rejection, request: UpgradeRequest | undefined, error: unknown];
}

export class WebSocketServer extends EventEmitter<Http1ServerEvents> {
  /** Open WebSockets of this server. */
  readonly connections = new Set<WebSocketConnection>();
  private readonly options: Http1ServerOptions;
  private httpServer: HttpServer | undefined;
  private closing = false;

  constructor(options: Http1ServerOptions = {}) {
    super();
    this.options = options;
  }

  /** Serves WebSocket upgrades of an existing node:http or node:https server. */
  attach(server: Pick<HttpServer, 'on'>): this {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.handleUpgrade(request, socket, head));
    return this;
  }

  /**
   * Takes over an upgrade request: refuses it with an HTTP answer, or
   * completes the handshake and hands a connection to the handler.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Until the carrier takes the socket over, an error only ends the attempt.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    if (this.closing) return this.refuse(socket, reject(503, 'Server shutting down'), undefined, undefined);
    const checked = checkUpgradeRequest(req, this.options);
    if ('reject' in checked) return this.refuse(socket, checked.reject, undefined, undefined);
    const { request, key } = checked;
    void decideUpgrade(request, this.options).then((decision) => {
      if (socket.destroyed) return;
      if ('reject' in decision) return this.refuse(socket, decision.reject, request, decision.error);
      if (this.closing) return this.refuse(socket, reject(503, 'Server shutting down'), request, undefined);
      const { protocol, extensions, deflate } = decision.accept;
      socket.write(switchingProtocols(key, protocol, extensions, this.options.altSvc));
      socket.off('error', onError);
      const carrier = new SocketCarrier(socket as Socket, head, this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
      if (decision.accept.tunnel !== undefined) {
        decision.accept.tunnel(new Tunnel(carrier, { protocol, extensions, path: request.path, headers: request.headers }), request);
        return;
      }
      const connection = new WebSocketConnection(
        'server',
        carrier,
        { protocol, extensions, path: request.path, headers: request.headers, ...(deflate ? { deflate } : {}) },
        { ...this.options, compression: compressionOptions(this.options.perMessageDeflate) },
      );
      this.track(connection);
      decision.accept.handler(connection, request);
      this.emit('connection', connection, request);
    });
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
    const request = (req: IncomingMessage, res: ServerResponse) => {
      if (this.options.altSvc !== undefined) res.setHeader('Alt-Svc', this.options.altSvc);
      (options.request ?? answer426)(req, res);
    };
    const server = options.tls ? createHttpsServer(options.tls, request) : createHttpServer(request);
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
   * 1001 (going away), and resolves once they are all closed (each aborts
   * after its close timeout) and the server of `listen`, if any, has stopped.
   */
  async close(): Promise<void> {
    this.closing = true;
    const stopped = new Promise<void>((resolve) => {
      if (this.httpServer === undefined) return resolve();
      this.httpServer.close(() => resolve());
      this.httpServer.closeIdleConnections();
    });
    await Promise.all([...this.connections].map((connection) => closeConnection(connection)));
    await stopped;
  }

  /**
   * Keeps the connection in `connections` until it closes. A method of its
   * own, so that the listener's scope holds the connection alone and not the
   * handshake's request, socket and head for the connection's lifetime.
   */
  private track(connection: WebSocketConnection): void {
    this.connections.add(connection);
    connection.on('close', () => this.connections.delete(connection));
  }

  private refuse(socket: Duplex, rejection: Rejection, request: UpgradeRequest | undefined, error: unknown): void {
    writeRejection(socket, rejection);
    this.emit('rejection', rejection, request, error);
  }
}

function closeConnection(connection: WebSocketConnection): Promise<void> {
  if (connection.readyState === WebSocketConnection.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    connection.once('close', () => resolve());
    connection.close(CloseCode.GOING_AWAY, 'server shutting down');
  });
}
