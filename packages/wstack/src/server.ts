/**
 * `createServer`: one port number for every transport. Over TLS, ALPN picks
 * HTTP/1.1 or HTTP/2 on TCP (RFC 9113 §3.2), and HTTP/3 listens on UDP at
 * the same number, announced by `Alt-Svc` (RFC 7838) on the TCP answers; in
 * cleartext the connection preface tells HTTP/1.1 from h2c with prior
 * knowledge (§3.3), and there is no HTTP/3 (QUIC is always encrypted).
 * Every WebSocket reaches the same handler as the same connection type,
 * tagged with its transport.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { Topics, checkOptions, optionNameSet, WS_SERVER_OPTION_ADVICE, type OptionNames, type TransportServer, type ServerEvents, type PreparedMessage, type PublishOptions, type Rejection, type TopicsLike, type SendData, type ServerOptions, type ShutdownResult, type UpgradeRequest, type WebSocketConnection } from '@wstack/core';
import { createDevCert, type DevCert } from '@wstack/dev-cert';
import { WebSocketServer as Http1Server, type Http1ServerOptions } from '@wstack/http1';
import type { RequestListener } from 'node:http';
import { WebSocketServer as Http2Server, type Http2ServerOptions } from '@wstack/http2';
import type { Http3Address, WebSocketServer as Http3Server } from '@wstack/http3';
import { loadHttp3 } from './http3-loader.js';
import { Observer, type ServerStats } from './observe.js';

export type ServedTransport = 'http/1.1' | 'h2' | 'h3';

export interface CreateServerOptions extends ServerOptions, Omit<Http1ServerOptions, keyof ServerOptions>, Omit<Http2ServerOptions, keyof ServerOptions | 'http1'> {
  /** Default 0: a free port (the same number on TCP and UDP). */
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
  /**
   * Serve WebSockets over HTTP/3 extended CONNECT (RFC 9220) on UDP at the
   * same port number; needs TLS. Default: on with TLS where the QUIC module
   * loads (`server.http3Unavailable` says why not); true makes it required.
   */
  http3?: boolean;
  /**
   * Ordinary requests (not WebSocket handshakes) on every transport served:
   * a node:http request listener (an Express app, Koa's `app.callback()`,
   * `staticFiles(dir)`), given node:http's request and response objects
   * over HTTP/1.1, HTTP/2 and HTTP/3 alike. Default: 426 over HTTP/1.1,
   * 405 over HTTP/2 and HTTP/3.
   */
  request?: RequestListener;
  /**
   * HTTP/3 in several processes on one port: the UDP socket is bound with
   * SO_REUSEPORT (Node 22.12 or later; see canSharePort). TCP needs nothing:
   * node:cluster shares its port among the workers.
   */
  reusePort?: boolean;
}

/** createServer's own options: the rest are its transports'. */
type OwnOptions = Omit<CreateServerOptions, keyof Http1ServerOptions | keyof Http2ServerOptions> & Pick<CreateServerOptions, 'http1'>;

const OWN_OPTIONS: OptionNames<OwnOptions> = { port: true, host: true, tls: true, devCert: true, http1: true, http2: true, http3: true, request: true, reusePort: true };

/** Every option createServer takes: its own, and those of the HTTP/1.1 and HTTP/2 servers it runs (HTTP/3's are a subset). */
const OPTIONS: ReadonlySet<string> = new Set([...Http1Server.optionNames, ...Http2Server.optionNames, ...optionNameSet(OWN_OPTIONS)]);

const ADVICE = {
  ...WS_SERVER_OPTION_ADVICE,
  server: 'createServer listens by itself (port, host); for a server of yours, attach an Http1Server (node:http, node:https) or an Http2Server (node:http2) to it',
  noServer: 'createServer listens by itself (port, host); to take upgrades from a server of yours, use an Http1Server and its handleUpgrade',
};

/** The options a transport's server takes, out of createServer's: each checks its own, and is given no other. */
function only<T extends object>(options: T, names: ReadonlySet<string>): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([name]) => names.has(name))) as Partial<T>;
}

interface Listening {
  address: AddressInfo;
  transports: ServedTransport[];
  secure: boolean;
  devCert: DevCert | undefined;
  /** The servers to close: the HTTP/2 one closes the HTTP/1.1 one it serves beside it. */
  owners: TransportServer[];
  /** Every server that hands over WebSockets. */
  servers: TransportServer[];
  topics: TopicsLike;
  http3Unavailable: Error | undefined;
}

/** A server; `T`, its topics, says what `publish` returns (a PublishResult, or a promise where topics span processes). */
export class Server<T extends TopicsLike = Topics> extends EventEmitter<ServerEvents> {
  /** Where it listens (TCP; HTTP/3 uses the same number on UDP). */
  readonly address: AddressInfo;
  /** The transports served. */
  readonly transports: readonly ServedTransport[];
  readonly secure: boolean;
  /** The development certificate made for this server, if any. */
  readonly devCert: DevCert | undefined;
  /** The publish/subscribe groups of this server's WebSockets (`connection.subscribe(topic)`). */
  readonly topics: T;
  /** Why HTTP/3 is not served although TLS is on (the QUIC module did not load, or the certificate is not PEM). */
  readonly http3Unavailable: Error | undefined;
  private readonly observer = new Observer();
  private readonly owners: readonly TransportServer[];
  private readonly servers: readonly TransportServer[];

  constructor(listening: Listening) {
    super();
    ({ address: this.address, transports: this.transports, secure: this.secure, devCert: this.devCert, http3Unavailable: this.http3Unavailable } = listening);
    this.topics = listening.topics as T;
    this.owners = listening.owners;
    this.servers = listening.servers;
    for (const server of this.servers) {
      // The transports' 'connection' events come here: a path with no route is theirs to take when this server has a listener.
      server.acceptsUnrouted = () => this.listenerCount('connection') > 0;
      server.on('connection', (connection: WebSocketConnection, request: UpgradeRequest) => {
        this.observer.opened(connection, request);
        this.emit('connection', connection, request);
      });
      server.on('rejection', (rejection: Rejection, request: UpgradeRequest | undefined, error: unknown) => {
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
   * `topics` option says (default: skipped above 1 MiB buffered). With
   * topics that span processes (@wstack/redis, workerTopics), every process's
   * subscribers, and the result is a promise.
   */
  publish(topic: string, data: SendData | PreparedMessage, options?: PublishOptions): ReturnType<T['publish']> {
    return this.topics.publish(topic, data, options) as ReturnType<T['publish']>;
  }

  /**
   * Lets another API decide the WebSocket requests it claims, on every
   * transport, with a policy of its own (TransportServer.delegate): how
   * wstack/ws's WebSocketServer takes its path on this server. Returns the
   * function that takes the delegation back.
   */
  delegate(claims: (request: UpgradeRequest) => boolean, policy: ServerOptions): () => void {
    const releases = this.servers.map((server) => server.delegate(claims, policy));
    return () => {
      for (const release of releases) release();
    };
  }

  /**
   * Live counts: WebSockets open now, handshakes refused, and per transport
   * WebSockets opened and failed since the start and the messages and
   * payload bytes they received and sent.
   */
  stats(): ServerStats {
    return this.observer.stats();
  }

  /**
   * Refuses new handshakes, closes every WebSocket with 1001 (GOAWAY on
   * HTTP/2 and HTTP/3) and stops listening; at `shutdownTimeout` (10 s)
   * what is still open is terminated. Says how many WebSockets closed and
   * how many were terminated.
   */
  async close(): Promise<ShutdownResult> {
    const results = await Promise.all(this.owners.map((server) => server.close()));
    return results.reduce((sum, result) => ({ closed: sum.closed + result.closed, terminated: sum.terminated + result.terminated }), { closed: 0, terminated: 0 });
  }
}

/** How many times a free port is sought that is free on both UDP and TCP. */
const PORT_ATTEMPTS = 5;

/**
 * Listens for WebSockets on every transport asked for. WebSockets go to
 * `handler` and `routes`, and to the 'connection' listeners of the server
 * returned (a path with no route goes to those alone when there is no
 * `handler`; with neither, it is refused with 404). An option it does not
 * know is a TypeError.
 */
export async function createServer<T extends TopicsLike = Topics>(options: CreateServerOptions & { topics?: T } = {}): Promise<Server<T>> {
  checkOptions(options, OPTIONS, 'createServer', ADVICE);
  const { port = 0, host = '127.0.0.1', http1 = true, http2 = true, http3, request, reusePort, tls: _tls, devCert: _devCert, topics = new Topics() as TopicsLike, ...rest } = options;
  if (options.tls !== undefined && options.devCert) throw new TypeError('createServer: `tls` and `devCert` exclude each other');
  const secure = options.tls !== undefined || options.devCert === true;
  if (!http1 && !http2 && (http3 === false || !secure)) throw new TypeError('createServer: at least one of http1, http2 and http3 (with TLS) must be on');
  if (http3 === true && !secure) throw new TypeError('createServer: http3 needs TLS (`tls` or `devCert`): QUIC is always encrypted');
  const devCert = options.devCert ? createDevCert() : undefined;
  const tls = options.tls ?? (devCert ? { cert: devCert.cert, key: devCert.key } : undefined);
  const policy = { ...rest, topics };
  let http3Unavailable: Error | undefined;
  let Http3 = undefined as typeof Http3Server | undefined;
  const quicTls = tls === undefined ? undefined : pemOf(tls);
  if (tls !== undefined && http3 !== false) {
    try {
      if (quicTls === undefined) throw new Error('HTTP/3 takes the certificate and key as PEM (`tls.cert`, `tls.key`), not PFX');
      Http3 = (await loadHttp3()).WebSocketServer;
    } catch (error) {
      // Required, or the only transport asked for: the reason is the error.
      if (http3 === true || (!http1 && !http2)) throw error;
      http3Unavailable = error as Error;
    }
  }
  for (let attempt = 1; ; attempt++) {
    let http3Server: Http3Server | undefined;
    let udp: Http3Address | undefined;
    if (Http3 !== undefined) {
      http3Server = new Http3(only(policy, Http3.optionNames));
      udp = await http3Server.listen({ port, host, tls: quicTls!, ...(request ? { request } : {}), ...(reusePort ? { reusePort } : {}) });
    }
    try {
      const tcp = http1 || http2 ? await listenTcp({ ...policy, ...(udp ? { altSvc: `h3=":${udp.port}"; ma=86400` } : {}) }, udp?.port ?? port) : undefined;
      const transports: ServedTransport[] = [];
      if (http1) transports.push('http/1.1');
      if (http2) transports.push('h2');
      if (http3Server) transports.push('h3');
      const owners = [...(tcp ? [tcp.owner] : []), ...(http3Server ? [http3Server] : [])];
      const servers = [...(tcp?.servers ?? []), ...(http3Server ? [http3Server] : [])];
      const address = tcp?.address ?? { address: udp!.address, port: udp!.port, family: udp!.family };
      return new Server<T>({ address, transports, secure: tls !== undefined, devCert, owners, servers, topics, http3Unavailable });
    } catch (error) {
      await http3Server?.close();
      // A free UDP port whose TCP twin is taken: try another (only when the caller let us pick).
      if (port !== 0 || attempt === PORT_ATTEMPTS || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }

  async function listenTcp(serverPolicy: typeof policy & { altSvc?: string }, tcpPort: number) {
    const http1Server = http1 ? new Http1Server(only(serverPolicy, Http1Server.optionNames)) : undefined;
    const listen = { port: tcpPort, host, ...(tls ? { tls } : {}), ...(request ? { request } : {}) };
    if (!http2) return { address: await http1Server!.listen(listen), owner: http1Server!, servers: [http1Server!] };
    const http2Server = new Http2Server({ ...only(serverPolicy, Http2Server.optionNames), ...(http1Server ? { http1: http1Server } : {}) });
    return { address: await http2Server.listen(listen), owner: http2Server, servers: http1Server ? [http2Server, http1Server] : [http2Server] };
  }
}

/** The certificate and key for QUIC, when `tls` gives them as PEM (not PFX, not encrypted key objects). */
function pemOf(tls: TlsOptions): { cert: string | Buffer | (string | Buffer)[]; key: string | Buffer } | undefined {
  const { cert, key } = tls;
  if (cert === undefined || key === undefined || Array.isArray(key)) return undefined;
  return { cert, key: key as string | Buffer };
}
