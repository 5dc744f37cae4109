/**
 * WebSocket server over HTTP/3 extended CONNECT (RFC 9220), on a QUIC
 * server of its own (quic/: quiche driven directly). Each QUIC connection carries any
 * number of WebSockets, one request stream each; ordinary requests (a page
 * for a browser) go to `listen`'s `request` listener, a node:http one.
 *
 * UDP and TCP ports are separate spaces, so `listen({ port })` may take the
 * port number of the HTTP/1.1 and HTTP/2 servers; their answers then
 * announce it with `Alt-Svc: h3=":PORT"` (`altSvcValue`, RFC 7838).
 */
import { TransportServer, canSharePort, serveExchange, withAltSvc, checkOptions, optionNameSet, SERVER_OPTION_NAMES, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, type AcceptedTerms, type Carrier, type IncomingHandshake, type Rejection, type ServerOptions, type ShutdownResult, type Tunnel, type WebSocketConnection } from '@wstack/core';
import { H3ErrorCode } from './h3/errors.js';
import { Http3Connection } from './h3-connection.js';
import { serverConfig } from './quic/config.js';
import type { QuicConnection } from './quic/connection.js';
import { ServerEndpoint } from './quic/server-endpoint.js';
import type { QuicStream } from './quic/stream.js';
import { checkConnectRequest, type HeaderLimits } from './request-checks.js';
import { RequestStreamDecoder, encodeData, encodeHeaders, type RequestStreamEvent } from './h3/request-stream.js';
import { acceptFields, defaultRequestListener, rejectionResponse, responseParts, type Http3Response, type RequestListener } from './responses.js';
import { StreamExchange } from './stream-exchange.js';
import { StreamCarrier } from './stream-carrier.js';
import { StreamProtocolError } from './errors.js';
import { readHead } from './stream-io.js';
import type { RequestHead } from './h3/message-validation.js';
import { readPem, type PemSource } from './tls.js';
import { quicSettings, type Http3Tuning } from './tuning.js';
import { SERVER_ADVICE, TUNING_OPTION_NAMES } from './known-options.js';

export interface Http3ServerOptions extends ServerOptions, HeaderLimits, Http3Tuning {
  /** An `Alt-Svc` value (RFC 7838) for the 200 answers and the answers of `listen`'s `request` listener. */
  altSvc?: string;
  /** Our SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2). Default 64 KiB. */
  maxFieldSectionSize?: number;
  /**
   * Address validation (RFC 9000 §8.1.2): a new client's first Initial is
   * answered with a Retry carrying an HMAC token, so no connection state is
   * kept for an address that was not shown to receive. Costs one round
   * trip per QUIC connection. Default true.
   */
  retry?: boolean;
}

export interface Http3TlsOptions {
  /** The certificate chain, leaf first: PEM text, PEM bytes or a PEM file path (one or several). */
  cert: PemSource | readonly PemSource[];
  /** The private key: PEM text, PEM bytes or a PEM file path. */
  key: PemSource;
}

export interface ListenOptions {
  /** UDP port; 0 (default) picks a free one. The TCP servers' port number may be given: UDP is a separate space. */
  port?: number;
  /** Default 127.0.0.1; '::' for both IP versions. */
  host?: string;
  /** HTTP/3 always runs over TLS 1.3 (RFC 9001). */
  tls: Http3TlsOptions;
  /**
   * Serves ordinary requests (not WebSocket handshakes) with node:http's
   * request and response objects, as a node:http server would (Express,
   * Koa's `app.callback()`). Default: 405 `Allow: CONNECT`.
   */
  request?: RequestListener;
  /**
   * Lets several processes listen on this UDP port (SO_REUSEPORT), each
   * client's datagrams going to one of them: HTTP/3 in every worker of a
   * cluster. Needs Node 22.12 or later (canSharePort()); without it, a
   * second process gets EADDRINUSE.
   */
  reusePort?: boolean;
}

export interface Http3Address {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

const OPTIONS = optionNameSet<Http3ServerOptions>({ ...SERVER_OPTION_NAMES, ...TUNING_OPTION_NAMES, maxHeaderCount: true, maxHeaderBytes: true, altSvc: true, maxFieldSectionSize: true, retry: true });

export class WebSocketServer extends TransportServer {
  /** The options this class takes; any other name is a TypeError. */
  static readonly optionNames: ReadonlySet<string> = OPTIONS;
  declare protected readonly options: Http3ServerOptions;
  /** Open QUIC connections of this server. */
  private readonly sessions = new Set<Http3Connection>();
  private endpoint: ServerEndpoint | undefined;
  private request: RequestListener = defaultRequestListener;
  /** Request streams taken and not over: their head still coming, or their ordinary request being served. */
  private readonly requests = new Set<Promise<void>>();
  private closed: Promise<ShutdownResult> | undefined;

  constructor(options: Http3ServerOptions = {}) {
    checkOptions(options, OPTIONS, 'the http3 WebSocketServer', SERVER_ADVICE);
    super(options);
  }

  /** Starts the QUIC server. */
  async listen(options: ListenOptions): Promise<Http3Address> {
    if (this.endpoint) throw new Error('the HTTP/3 server is already listening');
    this.request = options.request ? withAltSvc(options.request, this.options.altSvc) : defaultRequestListener;
    const certs = Array.isArray(options.tls.cert) ? options.tls.cert : [options.tls.cert as PemSource];
    const settings = quicSettings(this.options);
    const endpoint = new ServerEndpoint({
      // A cert array is one chain, leaf first.
      config: serverConfig(settings, { certChain: certs.map(readPem).join('\n'), key: readPem(options.tls.key) }),
      retry: this.options.retry ?? true,
      maxDatagramSize: settings.maxUdpPayloadSize,
      keepAliveInterval: settings.keepAliveInterval,
      udpBufferSize: settings.udpBufferSize,
      resetBudget: settings.resetBudget,
      receiveBudget: settings.receiveBudget,
      onConnection: (connection) => this.serveConnection(connection),
    });
    if (options.reusePort && !canSharePort()) throw new Error(`reusePort needs Node 22.12 or later (this is ${process.version}): UDP ports cannot be shared here`);
    await endpoint.listen(options.host ?? '127.0.0.1', options.port ?? 0, options.reusePort);
    this.endpoint = endpoint;
    return this.address()!;
  }

  /** Where `listen` is bound. */
  address(): Http3Address | undefined {
    const local = this.endpoint?.address;
    if (!local) return undefined;
    return { address: local.host, port: local.port, family: local.host.includes(':') ? 'IPv6' : 'IPv4' };
  }

  /** Open QUIC connections. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /**
   * Graceful shutdown: refuses new handshakes (503), sends GOAWAY on every
   * QUIC connection (RFC 9114 §5.2), closes every WebSocket with 1001 and
   * waits for those closes, then closes the connections with H3_NO_ERROR
   * and stops listening; at `shutdownTimeout` what is still open is cut.
   */
  close(): Promise<ShutdownResult> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<ShutdownResult> {
    this.closing = true;
    for (const session of this.sessions) session.goaway();
    const result = await this.closeConnections();
    // The requests taken before the GOAWAY are answered (RFC 9114 §5.2), within the shutdown's deadline.
    await Promise.race([Promise.all(this.requests), this.shutdownDeadline()]);
    await Promise.all([...this.sessions].map(async (session) => {
      await Promise.race([session.settled(), this.shutdownDeadline()]);
      session.close(H3ErrorCode.H3_NO_ERROR, 'server shutting down');
    }));
    // Let the CONNECTION_CLOSE frames leave before the socket closes.
    await new Promise((resolve) => setImmediate(resolve));
    await this.endpoint?.close();
    return result;
  }

  private serveConnection(quicConnection: QuicConnection): void {
    const session = new Http3Connection(quicConnection, { role: 'server', ...(this.options.maxFieldSectionSize ? { maxFieldSectionSize: this.options.maxFieldSectionSize } : {}) });
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    session.on('request', (stream) => void this.serveStream(session, stream));
    // quiche may soon lack connection credit for the streams still to come (the peer reset many mid-way, or the connection
    // received its receive budget; connection.ts): new WebSockets go to a new connection (RFC 9114 §5.2), the open ones
    // finish on this one.
    quicConnection.once('creditLow', () => session.goaway());
    if (this.closing) session.goaway();
  }

  private async serveStream(session: Http3Connection, stream: QuicStream): Promise<void> {
    // Counted from the moment the stream is taken: shutdown answers what came before its GOAWAY (RFC 9114 §5.2), head
    // still on its way or not.
    const settle = this.trackStream();
    const decoder = new RequestStreamDecoder({ role: 'server', maxFieldSectionSize: session.session.localSettings.maxFieldSectionSize });
    const timeout = this.options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    // RFC 9114 §4.1: a request head that never completes must not hold the stream forever.
    const timer = setTimeout(() => stream.handler.closed(new Error('the request head did not arrive in time')), timeout);
    let read;
    try {
      read = await readHead<{ type: 'request'; head: RequestHead; fields: [string, string][] }>(stream, decoder, 'request');
    } catch (error) {
      settle();
      if (error instanceof StreamProtocolError) {
        if (error.error.isConnectionError) session.connectionError(error.error);
        else stream.reset(error.error.wireCode);
      } else {
        stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
      }
      return;
    } finally {
      clearTimeout(timer);
    }
    const head = read.event.head;
    // An ordinary request goes to the request listener as node:http objects, and counts until its exchange is over.
    if (head.method !== 'CONNECT') return serveExchange(new StreamExchange(stream, head, decoder, read.rest, read.late, session, settle), this.request);
    // A WebSocket is counted by the connections it opens (closeConnections).
    settle();
    await this.accept(new ConnectHandshake(session, stream, head, decoder, read.rest, this.options));
  }

  /** One more request stream under way; the function returned says it is over. */
  private trackStream(): () => void {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.requests.add(settled);
    void settled.then(() => this.requests.delete(settled));
    return settle;
  }
}

/** An extended CONNECT request on its stream (RFC 9220 §3); the connection's other streams are not affected either way. */
class ConnectHandshake implements IncomingHandshake {
  private carrier: StreamCarrier | undefined;

  constructor(
    private readonly session: Http3Connection,
    private readonly stream: QuicStream,
    private readonly head: RequestHead,
    private readonly decoder: RequestStreamDecoder,
    private readonly rest: RequestStreamEvent[],
    private readonly options: Http3ServerOptions,
  ) {}

  check() {
    return checkConnectRequest(this.head, this.session.remoteAddress, this.options);
  }

  get gone(): boolean {
    return this.session.closed;
  }

  answer(terms: AcceptedTerms): Carrier {
    this.stream.write(encodeHeaders(acceptFields(terms.protocol, terms.extensions, this.options.altSvc, terms.headers)));
    this.carrier = new StreamCarrier(this.stream, this.decoder, this.rest, this.options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK, this.session);
    return this.carrier;
  }

  refuse(rejection: Rejection): void {
    respond(this.stream, rejectionResponse(rejection), this.options.altSvc);
  }

  opened(opened: WebSocketConnection | Tunnel): void {
    this.session.hold(this.carrier!, opened);
  }
}

/**
 * A refusal: HEADERS, DATA when there is a body, then FIN; the rest of the
 * request is not needed, so reading stops (STOP_SENDING with H3_NO_ERROR,
 * RFC 9114 §4.1.2: a complete response may end the exchange).
 */
function respond(stream: QuicStream, response: Http3Response, altSvc: string | undefined): void {
  const { fields, body } = responseParts(response, altSvc);
  stream.write(encodeHeaders(fields));
  if (body.length !== 0) stream.write(encodeData(body));
  stream.end();
  stream.stopReading(H3ErrorCode.H3_NO_ERROR);
}
