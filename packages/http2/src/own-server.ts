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
  type IncomingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import { handshakeDeadlines, serveExchange, type ShutdownResult } from '@wstack/core';
import { routeByPreface } from './preface-sniffer.js';
import type { RequestListener } from './responses.js';
import { StreamExchange } from './stream-exchange.js';

/** What serves HTTP/1.1 WebSocket upgrades on the shared port; @wstack/http1's WebSocketServer is one. */
export interface Http1UpgradeHandler {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Called by the HTTP/2 server's `close()`. */
  close?(): Promise<ShutdownResult>;
}

export interface OwnServerSetup {
  tls: TlsOptions | undefined;
  /** Options of the node:http2 server (settings, maxSessionMemory). */
  http2Options: SecureServerOptions;
  request: RequestListener;
  http1: Http1UpgradeHandler | undefined;
  /** Wires WebSocket streams: the WebSocketServer's `attach`. */
  attach(server: Http2Server | Http2SecureServer): void;
  /** Answers a CONNECT stream that `attach` did not take (the WebSocketServer's `handleStream`: 404, 501). */
  refuseConnect(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders: readonly string[] | undefined): void;
  /** Milliseconds a connection may take for its TLS handshake, its first bytes (cleartext) and its HTTP/1.1 request head. */
  handshakeTimeout: number;
}

export class OwnServer {
  private readonly listener: TcpServer;
  private readonly sessions = new Set<ServerHttp2Session>();
  /** The HTTP/1.1 server that ALPN (TLS) or the preface router (cleartext) feeds. */
  private readonly http1Server: HttpServer;
  /** Cleartext sockets still being routed. */
  private readonly undecided = new Set<Socket>();

  constructor(setup: OwnServerSetup) {
    const onSession = (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    };
    // HTTP/1.1 goes to a node:http server of our own on both paths, which keeps the handshake deadline on the request
    // head (node:http2's allowHTTP1 does not apply headersTimeout). node:http tracks connections (for
    // closeIdleConnections and that timeout) from its 'listening' event; this server never listens itself.
    const http1Server = createHttpServer(handshakeDeadlines(setup.handshakeTimeout), setup.request);
    if (setup.http1) http1Server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => setup.http1!.handleUpgrade(req, socket, head));
    http1Server.emit('listening');
    this.http1Server = http1Server;
    if (setup.tls !== undefined) {
      // TLS is ours, then ALPN routes (RFC 7301): h2 to a node:http2 server that never listens itself, HTTP/1.1 (or no
      // ALPN) to the node:http server above. node:http2's own allowHTTP1 would not apply headersTimeout.
      const h2 = createSecureServer({ ...setup.tls, ...setup.http2Options });
      this.wire(h2, setup);
      h2.on('session', onSession);
      this.listener = createTlsServer({ ...handshakeDeadlines(setup.handshakeTimeout), ...setup.tls, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
        if (socket.alpnProtocol === 'h2') h2.emit('secureConnection', socket);
        else http1Server.emit('connection', socket);
      });
      return;
    }
    const h2c = createH2cServer(setup.http2Options);
    this.wire(h2c, setup);
    h2c.on('session', onSession);
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
        setup.handshakeTimeout,
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
   * once every connection is gone; at `deadline` the rest are cut.
   */
  close(deadline: Promise<void>): Promise<void> {
    void deadline.then(() => {
      for (const session of this.sessions) session.destroy();
      this.http1Server.closeAllConnections();
    });
    return new Promise((resolve) => {
      this.listener.close(() => resolve());
      for (const session of this.sessions) session.close();
      for (const socket of this.undecided) socket.destroy();
      this.http1Server.close();
    });
  }

  /**
   * `attach` takes the WebSocket streams before any listener sees them;
   * every other stream comes here. Ordinary requests go to the request
   * listener as node:http objects (not node:http2's compatibility ones,
   * which Express and Koa cannot use).
   */
  private wire(server: Http2Server | Http2SecureServer, setup: OwnServerSetup): void {
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders?: string[]) => {
      if (headers[':method'] === 'CONNECT') return setup.refuseConnect(stream, headers, rawHeaders);
      serveExchange(new StreamExchange(stream, headers, rawHeaders, flags), setup.request);
    });
    setup.attach(server);
  }
}
