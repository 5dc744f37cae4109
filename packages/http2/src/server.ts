/**
 * WebSocket server over HTTP/2 extended CONNECT (RFC 8441). `attach` serves
 * the CONNECT streams of any node:http2 server, `handleStream` takes one
 * stream from a 'stream' listener of your own, and `listen` runs a server of
 * its own that serves HTTP/1.1 on the same port too.
 *
 * Streams are taken on node:http2's 'stream' path: a 'request' listener
 * makes its compatibility layer answer CONNECT with 405 (RFC 8441 needs the
 * raw stream), so `attach` takes the WebSocket streams it serves before the
 * layer sees them, and leaves the others to the server's other listeners
 * (stream-gate.ts).
 */
import type { Http2SecureServer, Http2Server, IncomingHttpHeaders, SecureServerOptions, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TlsOptions } from 'node:tls';
import {
  TransportServer,
  checkOptions,
  optionNameSet,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  SERVER_OPTION_NAMES,
  WS_SERVER_OPTION_ADVICE,
  type AcceptedTerms,
  type Carrier,
  type IncomingHandshake,
  type Rejection,
  type ServerOptions,
  type ShutdownResult,
  type Tunnel,
  type WebSocketConnection,
  withAltSvc,
} from '@wstack/core';
import { singleFieldValue } from '@wstack/protocol';
import { OwnServer, type Http1UpgradeHandler } from './own-server.js';
import { checkConnectRequest, type HeaderLimits } from './request-checks.js';
import { acceptHeaders, defaultRequestListener, respondRejection, type RequestListener } from './responses.js';
import { SessionWebSockets } from './session-websockets.js';
import { gateStreams, type StreamEmitter } from './stream-gate.js';
import { StreamCarrier } from './stream-carrier.js';
import { TUNING_OPTION_NAMES, resolveTuning, serverSettings, widenConnectionWindow, type Http2Tuning, type ResolvedTuning } from './tuning.js';

export interface Http2ServerOptions extends ServerOptions, HeaderLimits, Http2Tuning {
  /**
   * Serves HTTP/1.1 WebSocket upgrades on the port of `listen`, e.g.
   * `new (await import('@wstack/http1')).WebSocketServer(sameOptions)`; its
   * `close` is called by this server's `close`.
   */
  http1?: Http1UpgradeHandler;
  /**
   * An `Alt-Svc` value (RFC 7838) for the 200 answers and, with `listen`,
   * the answers of its `request` listener (not the default 405/426): e.g.
   * `h3=":443"` when HTTP/3 serves the same WebSockets and requests on the
   * same port.
   */
  altSvc?: string;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  /**
   * Serve TLS (cert, key, …): HTTP/2 by ALPN `h2`, HTTP/1.1 by ALPN
   * `http/1.1` or none. Without it: cleartext, h2c with prior knowledge and
   * HTTP/1.1 on the same port.
   */
  tls?: TlsOptions;
  /**
   * Serves ordinary requests (not WebSocket handshakes) of both HTTP
   * versions, with node:http's request and response objects (over HTTP/2
   * too, so that Express, Koa and node:http handlers run unchanged). Default: 405 `Allow: CONNECT` over HTTP/2; over HTTP/1.1, 426
   * `Upgrade: websocket` with `http1`, else 505.
   */
  request?: RequestListener;
}

/**
 * node:http2 resets a stream whose header block has more than
 * `maxHeaderListPairs` fields (default 128) before any handler sees it. Set
 * well above the handshake's own limit (DEFAULT_MAX_HEADER_COUNT, 100), so
 * that a request over that limit gets its 431 (RFC 6585 §5) as on HTTP/1.1.
 */
const MAX_HEADER_LIST_PAIRS = 2000;

/**
 * Options for a node:http2 server of your own that `attach` will serve:
 * extended CONNECT on, this package's windows and session memory, and room
 * for the header fields that the handshake's limits answer with 431.
 * Spread them into `createSecureServer` or `createServer`.
 */
export function http2ServerOptions(tuning: Http2Tuning = {}): SecureServerOptions {
  const resolved = resolveTuning(tuning);
  return { settings: serverSettings(resolved), maxSessionMemory: resolved.maxSessionMemory, maxHeaderListPairs: MAX_HEADER_LIST_PAIRS };
}

const OPTIONS = optionNameSet<Http2ServerOptions>({ ...SERVER_OPTION_NAMES, ...TUNING_OPTION_NAMES, maxHeaderCount: true, maxHeaderBytes: true, http1: true, altSvc: true });

const ADVICE = {
  ...WS_SERVER_OPTION_ADVICE,
  port: 'the http2 WebSocketServer does not listen by itself: call listen({ port }), or use createServer({ port }) of wstack',
  host: 'the http2 WebSocketServer does not listen by itself: call listen({ host })',
  server: 'call attach(server)',
  noServer: "not needed: call handleStream(stream, headers) from a 'stream' listener",
};

export class WebSocketServer extends TransportServer {
  /** The options this class takes; any other name is a TypeError. */
  static readonly optionNames: ReadonlySet<string> = OPTIONS;
  declare protected readonly options: Http2ServerOptions;
  private readonly tuning: ResolvedTuning;
  private readonly bySession: SessionWebSockets;
  private own: OwnServer | undefined;

  constructor(options: Http2ServerOptions = {}) {
    checkOptions(options, OPTIONS, 'the http2 WebSocketServer', ADVICE);
    super(options);
    this.tuning = resolveTuning(options);
    this.bySession = new SessionWebSockets(this.tuning.sessionPingInterval);
  }

  /**
   * Serves the extended CONNECT streams of a node:http2 server (created
   * with `http2ServerOptions()`, or at least `settings: {
   * enableConnectProtocol: true }`; sessions opened from now on advertise it
   * in any case). A WebSocket stream this server serves (see
   * `servesStream`) is taken before the server's other listeners see it;
   * any other CONNECT stream is left to them (another 'stream' listener, or
   * a 'connect' listener through node:http2's compatibility layer), and
   * refused (404, or 501 for a CONNECT that is not a WebSocket's) when
   * nobody else would answer it.
   */
  attach(server: Http2Server | Http2SecureServer): this {
    // RFC 8441 §3: a client may send extended CONNECT only once SETTINGS_ENABLE_CONNECT_PROTOCOL arrived.
    server.updateSettings({ enableConnectProtocol: true });
    gateStreams(server as unknown as StreamEmitter, this);
    server.on('session', (session: ServerHttp2Session) => widenConnectionWindow(session, this.tuning));
    return this;
  }

  /**
   * Whether this server takes a CONNECT stream: an extended CONNECT for a
   * WebSocket (`:protocol` websocket, RFC 8441 §4) on a path it serves (a
   * route, the `handler`, a tunnel, or any path when it has a 'connection'
   * listener). Decided before anything is sent.
   */
  servesStream(headers: IncomingHttpHeaders): boolean {
    if (singleFieldValue(headers[':protocol'])?.toLowerCase() !== 'websocket') return false;
    const path = singleFieldValue(headers[':path']) ?? '/';
    const query = path.indexOf('?');
    return this.servesPath(query === -1 ? path : path.slice(0, query));
  }

  /**
   * Takes over a request stream: refuses it with its proper status, or
   * answers 200 and hands a connection to the handler. The session's other
   * streams are not affected either way.
   */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): void {
    void this.accept(new ConnectHandshake(stream, headers, rawHeaders, this.options, this.tuning, this.bySession));
  }

  /**
   * Listens on a server of its own: HTTP/2 WebSockets, the HTTP/1.1 ones of
   * `options.http1` on the same port, and ordinary requests of both versions
   * through `listen.request`.
   */
  listen(options: ListenOptions = {}): Promise<AddressInfo> {
    const http1 = this.options.http1;
    const own = new OwnServer({
      tls: options.tls,
      http2Options: http2ServerOptions(this.tuning),
      // Alt-Svc only where the alternative serves the same requests: the default answer invites nobody elsewhere.
      request: options.request ? withAltSvc(options.request, this.options.altSvc) : defaultRequestListener(http1 !== undefined),
      http1,
      attach: (server) => this.attach(server),
      refuseConnect: (stream, headers, rawHeaders) => this.handleStream(stream, headers, rawHeaders),
      handshakeTimeout: this.options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT,
    });
    this.own = own;
    return own.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  }

  /** The address of the server started by `listen`. */
  address(): AddressInfo | undefined {
    return this.own?.address();
  }

  /**
   * Graceful shutdown: refuses new handshakes (503), closes every WebSocket
   * with 1001 (going away), closes the HTTP/1.1 WebSocket server of
   * `http1`, and for a server of its own stops listening and sends GOAWAY on
   * every session. Resolves once all of that is done; at `shutdownTimeout`
   * what is still open (WebSockets, sessions, HTTP/1.1 connections) is cut.
   * The result counts the WebSockets of both HTTP versions.
   */
  async close(): Promise<ShutdownResult> {
    const closed = this.closeConnections();
    const stopped = this.own?.close(this.shutdownDeadline()) ?? Promise.resolve();
    const [own, beside] = await Promise.all([closed, this.options.http1?.close?.()]);
    await stopped;
    return beside === undefined ? own : { closed: own.closed + beside.closed, terminated: own.terminated + beside.terminated };
  }
}

/** An extended CONNECT request on its stream (RFC 8441 §4, §5); the session's other streams are not affected either way. */
class ConnectHandshake implements IncomingHandshake {
  // Until the carrier takes the stream over, an error only ends the attempt.
  private readonly onError = () => undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly rawHeaders: readonly string[] | undefined,
    private readonly options: Http2ServerOptions,
    private readonly tuning: ResolvedTuning,
    private readonly bySession: SessionWebSockets,
  ) {
    stream.on('error', this.onError);
  }

  check() {
    return checkConnectRequest(this.headers, this.stream.session?.socket?.remoteAddress, this.options, this.rawHeaders);
  }

  get gone(): boolean {
    return this.stream.destroyed || this.stream.closed || this.stream.session === undefined;
  }

  answer(terms: AcceptedTerms): Carrier {
    this.stream.respond(acceptHeaders(terms.protocol, terms.extensions, this.options.altSvc, terms.headers));
    const carrier = new StreamCarrier(this.stream, this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, this.tuning.maxBytesInFlight);
    this.stream.off('error', this.onError);
    return carrier;
  }

  refuse(rejection: Rejection): void {
    respondRejection(this.stream, rejection);
  }

  opened(opened: WebSocketConnection | Tunnel): void {
    this.bySession.add(this.stream.session!, opened);
  }
}
