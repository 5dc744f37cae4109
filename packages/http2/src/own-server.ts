/**
 * The node servers behind `WebSocketServer.listen`: one port for HTTP/2 and
 * HTTP/1.1. Over TLS, ALPN decides (RFC 9113 §3.2; node:http2's
 * `allowHTTP1`); in cleartext the connection preface does (RFC 9113 §3.3,
 * see preface-sniffer.ts). WebSocket streams reach the 'stream' path wired by
 * `attach`; ordinary requests of both versions reach one request listener;
 * HTTP/1.1 upgrades go to the HTTP/1.1 WebSocket server when there is one.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import {
  createSecureServer,
  createServer as createH2cServer,
  type Http2SecureServer,
  type Http2Server,
  type SecureServerOptions,
  type ServerHttp2Session,
} from 'node:http2';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TlsOptions } from 'node:tls';
import { routeByPreface } from './preface-sniffer.js';
import type { RequestListener } from './responses.js';

/** What serves HTTP/1.1 WebSocket upgrades on the shared port; @wstack/http1's WebSocketServer is one. */
export interface Http1UpgradeHandler {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Called by the HTTP/2 server's `close()`. */
  close?(): Promise<void>;
}

export interface OwnServerSetup {
  tls: TlsOptions | undefined;
  /** Options of the node:http2 server (settings, maxSessionMemory). */
  http2Options: SecureServerOptions;
  request: RequestListener;
  http1: Http1UpgradeHandler | undefined;
  /** Wires WebSocket streams: the WebSocketServer's `attach`. */
  attach(server: Http2Server | Http2SecureServer): void;
  /** Milliseconds a cleartext connection may take to show its first bytes. */
  prefaceTimeout: number;
}

export class OwnServer {
  private readonly listener: TcpServer;
  private readonly sessions = new Set<ServerHttp2Session>();
  /** Cleartext only: the HTTP/1.1 server that the preface router feeds. */
  private readonly http1Server: HttpServer | undefined;
  /** Cleartext sockets still being routed. */
  private readonly undecided = new Set<Socket>();

  constructor(setup: OwnServerSetup) {
    const onSession = (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    };
    if (setup.tls !== undefined) {
      const server = createSecureServer({ ...setup.tls, ...setup.http2Options, allowHTTP1: true });
      this.wire(server, setup);
      server.on('session', onSession);
      if (setup.http1) server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => setup.http1!.handleUpgrade(req, socket, head));
      this.listener = server;
      return;
    }
    const h2c = createH2cServer(setup.http2Options);
    this.wire(h2c, setup);
    h2c.on('session', onSession);
    const http1Server = createHttpServer(setup.request);
    if (setup.http1) http1Server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => setup.http1!.handleUpgrade(req, socket, head));
    // node:http tracks connections (for closeIdleConnections and its header
    // and request timeouts) from its 'listening' event; this server never
    // listens itself, the TCP listener hands it its sockets.
    http1Server.emit('listening');
    this.http1Server = http1Server;
    this.listener = createTcpServer((socket) => {
      this.undecided.add(socket);
      const decided = () => this.undecided.delete(socket);
      socket.once('close', decided);
      routeByPreface(
        socket,
        {
          h2: (routed) => {
            decided();
            h2c.emit('connection', routed);
          },
          http1: (routed) => {
            decided();
            http1Server.emit('connection', routed);
          },
        },
        setup.prefaceTimeout,
      );
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    const listener = this.listener;
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        resolve(listener.address() as AddressInfo);
      });
    });
  }

  address(): AddressInfo | undefined {
    return (this.listener.address() as AddressInfo | null) ?? undefined;
  }

  /**
   * Stops listening, sends GOAWAY on every HTTP/2 session (its streams may
   * finish: RFC 9113 §6.8), closes idle HTTP/1.1 connections, and resolves
   * once every connection is gone.
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.listener.close(() => resolve());
      for (const session of this.sessions) session.close();
      for (const socket of this.undecided) socket.destroy();
      // Over TLS node:http2 closes the idle HTTP/1.1 connections itself (allowHTTP1).
      this.http1Server?.close();
    });
  }

  /**
   * The request listener makes node:http2 set up its compatibility layer
   * for ordinary requests; `attach` adds the 'stream' path for WebSockets
   * (and the 'connect' listener that keeps the compatibility layer from
   * answering CONNECT with 405).
   */
  private wire(server: Http2Server | Http2SecureServer, setup: OwnServerSetup): void {
    server.on('request', setup.request);
    setup.attach(server);
  }
}
