/**
 * `createServer`: one port for every transport this build serves. Over TLS,
 * ALPN picks HTTP/1.1 or HTTP/2 (RFC 9113 §3.2); in cleartext the
 * connection preface tells HTTP/1.1 from h2c with prior knowledge (§3.3).
 * Every WebSocket reaches the same handler as the same connection type,
 * tagged with its transport.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { Topics, type PreparedMessage, type PublishOptions, type PublishResult, type Rejection, type SendData, type ServerOptions, type UpgradeRequest, type WebSocketConnection } from '@wstack/core';
import { createDevCert, type DevCert } from '@wstack/core/dev-cert';
import { WebSocketServer as Http1Server, type Http1ServerOptions } from '@wstack/http1';
import { WebSocketServer as Http2Server, type Http2ServerOptions, type RequestListener } from '@wstack/http2';
import { Observer, type ServerStats } from './observe.js';

export type ServedTransport = 'http/1.1' | 'h2';

export interface CreateServerOptions extends ServerOptions, Omit<Http1ServerOptions, keyof ServerOptions>, Omit<Http2ServerOptions, keyof ServerOptions | 'http1'> {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Certificate and key (PEM) for wss://. */
  tls?: TlsOptions;
  /** Without `tls`: make a development certificate for localhost and 127.0.0.1 (its SPKI hash is in `devCert`). */
  devCert?: boolean;
  /** Serve WebSockets over HTTP/1.1 Upgrade (RFC 6455). Default true. */
  http1?: boolean;
  /** Serve WebSockets over HTTP/2 extended CONNECT (RFC 8441). Default true. */
  http2?: boolean;
  /** Ordinary requests (not WebSocket handshakes), of every HTTP version served. */
  request?: RequestListener;
}

export interface ServerEvents {
  connection: [connection: WebSocketConnection, request: UpgradeRequest];
  rejection: [rejection: Rejection, request: UpgradeRequest | undefined, error: unknown];
}

export class Server extends EventEmitter<ServerEvents> {
  private readonly observer = new Observer();

  constructor(
    readonly address: AddressInfo,
    /** The transports served. */
    readonly transports: readonly ServedTransport[],
    readonly secure: boolean,
    /** The development certificate made for this server, if any. */
    readonly devCert: DevCert | undefined,
    private readonly servers: readonly (Http1Server | Http2Server)[],
    /** The publish/subscribe groups of this server's WebSockets (`connection.subscribe(topic)`). */
    readonly topics: Topics,
  ) {
    super();
    for (const server of servers) {
      server.on('connection', (connection, request) => {
        this.observer.opened(connection, request);
        this.emit('connection', connection, request);
      });
      server.on('rejection', (rejection, request, error) => {
        this.observer.refused(rejection, request, error);
        this.emit('rejection', rejection, request, error);
      });
    }
  }

  /** The base URL, e.g. wss://127.0.0.1:8443/. */
  get url(): string {
    const { address, port } = this.address;
    const host = this.address.family === 'IPv6' ? `[${address}]` : address;
    return `${this.secure ? 'wss' : 'ws'}://${host}:${port}/`;
  }

  /** Open WebSockets on every transport. */
  get connections(): WebSocketConnection[] {
    return this.servers.flatMap((server) => [...server.connections]);
  }

  /**
   * Sends a message to every WebSocket subscribed to the topic, on every
   * transport, framed once; slow subscribers are skipped or closed as the
   * `topics` option says (default: skipped above 1 MiB buffered).
   */
  publish(topic: string, data: SendData | PreparedMessage, options?: PublishOptions): PublishResult {
    return this.topics.publish(topic, data, options);
  }

  /** Live counts: WebSockets open now, per transport opened and failed since the start, handshakes refused. */
  stats(): ServerStats {
    return this.observer.stats();
  }

  /** Refuses new handshakes, closes every WebSocket with 1001 (GOAWAY on HTTP/2), stops listening. */
  async close(): Promise<void> {
    // The HTTP/2 server closes the HTTP/1.1 server it serves beside it.
    await this.servers[0]!.close();
  }
}

export async function createServer(options: CreateServerOptions = {}): Promise<Server> {
  const { port = 0, host = '127.0.0.1', http1 = true, http2 = true, request, tls: _tls, devCert: _devCert, topics = new Topics(), ...rest } = options;
  const policy = { ...rest, topics };
  if (!http1 && !http2) throw new TypeError('createServer: at least one of http1 and http2 must be on');
  if (options.tls !== undefined && options.devCert) throw new TypeError('createServer: `tls` and `devCert` exclude each other');
  const devCert = options.devCert ? createDevCert() : undefined;
  const tls = options.tls ?? (devCert ? { cert: devCert.cert, key: devCert.key } : undefined);
  const transports: ServedTransport[] = [];
  if (http1) transports.push('http/1.1');
  if (http2) transports.push('h2');
  const http1Server = http1 ? new Http1Server(policy) : undefined;
  if (!http2) {
    const address = await http1Server!.listen({ port, host, ...(tls ? { tls } : {}), ...(request ? { request } : {}) });
    return new Server(address, transports, tls !== undefined, devCert, [http1Server!], topics);
  }
  const http2Server = new Http2Server({ ...policy, ...(http1Server ? { http1: http1Server } : {}) });
  const address = await http2Server.listen({ port, host, ...(tls ? { tls } : {}), ...(request ? { request } : {}) });
  return new Server(address, transports, tls !== undefined, devCert, http1Server ? [http2Server, http1Server] : [http2Server], topics);
}
