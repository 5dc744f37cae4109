/**
 * One QUIC connection speaking HTTP/3 (RFC 9114 §3.2, §6.2), server or
 * client side: it opens our control and QPACK streams, feeds the peer's
 * unidirectional streams to the sans-I/O session, hands out the peer's
 * request streams (server), and keeps the WebSockets riding it.
 *
 * What ends the connection ends its WebSockets: a CONNECTION_CLOSE, an idle
 * timeout or a connection error fails every carrier (the WebSockets close
 * with 1006). A GOAWAY takes no new request streams and leaves the open
 * ones running (RFC 9114 §5.2): a server shutting down closes its
 * WebSockets itself (1001), and one that retires a connection lets them
 * finish; a connection that ends after the peer's GOAWAY ends its
 * WebSockets with 1001, going away (RFC 6455 §7.4.1), not 1006.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { GoneAwayError, WebSocketConnection, type Tunnel } from '@wstack/core';
import { ConnectionClosedError } from './errors.js';
import { H3ErrorCode, Http3Error } from './h3/errors.js';
import { encodeGoawayFrame } from './h3/frames.js';
import { Http3Session, type Role, type SessionEvent } from './h3/session.js';
import type { Http3Settings } from './h3/settings.js';
import { closeText, type QuicCloseInfo, type QuicConnection } from './quic/connection.js';
import { IGNORE, type QuicStream } from './quic/stream.js';
import type { CarrierHost, StreamCarrier } from './stream-carrier.js';

export interface Http3ConnectionEvents {
  /** The peer's SETTINGS (RFC 9114 §7.2.4). */
  settings: [settings: Http3Settings];
  /** The peer's GOAWAY (RFC 9114 §5.2): no new requests. */
  goaway: [id: number];
  /** Server: a request stream the peer opened. */
  request: [stream: QuicStream];
  /** The QUIC connection ended. */
  close: [error: Error];
}

export interface Http3ConnectionOptions {
  role: Role;
  maxFieldSectionSize?: number;
}

export class Http3Connection extends EventEmitter<Http3ConnectionEvents> implements CarrierHost {
  readonly session: Http3Session;
  readonly role: Role;
  /** The WebSockets and tunnels riding this connection. */
  readonly websockets = new Set<WebSocketConnection | Tunnel>();
  private readonly carriers = new Set<StreamCarrier>();
  private control: QuicStream | undefined;
  private closedWith: Error | undefined;
  private goawaySent = false;
  /** The peer's GOAWAY came: the connection's end is its going away (1001 for WebSockets without a close frame). */
  private goawayReceived = false;
  private settingsArrived: Promise<Http3Settings> | undefined;
  /** Server: the highest request stream id taken so far. */
  private lastRequestId = -4;

  constructor(
    readonly quicConnection: QuicConnection,
    options: Http3ConnectionOptions,
  ) {
    super();
    this.role = options.role;
    this.session = new Http3Session({ role: options.role, ...(options.maxFieldSectionSize ? { maxFieldSectionSize: options.maxFieldSectionSize } : {}) });
    // An exception of ours must not escape into the socket's callback: it closes this connection instead.
    quicConnection.on('stream', (stream) => this.guard(() => this.stream(stream)));
    quicConnection.once('close', (info) => this.ended(describe(info)));
    this.openLocalStreams();
    quicConnection.readWaiting();
  }

  /** The peer's address. */
  get remoteAddress(): string {
    return this.quicConnection.remote.host;
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  get peerSettings(): Http3Settings | undefined {
    return this.session.peerSettings;
  }

  /** The peer's SETTINGS, once they arrived; fails if the connection ends first. One promise for every caller. */
  settings(): Promise<Http3Settings> {
    this.settingsArrived ??= new Promise<Http3Settings>((resolve, reject) => {
      const known = this.session.peerSettings;
      if (known) return resolve(known);
      if (this.closedWith) return reject(this.closedWith);
      const onSettings = (settings: Http3Settings) => {
        this.off('close', onClose);
        resolve(settings);
      };
      const onClose = (error: Error) => {
        this.off('settings', onSettings);
        reject(error);
      };
      this.once('settings', onSettings);
      this.once('close', onClose);
    });
    return this.settingsArrived;
  }

  /** A new request stream (client); throws StreamLimitError when the server allows no more now. */
  newRequestStream(): QuicStream {
    return this.quicConnection.openStream('bidi');
  }

  /** Tracks a WebSocket or tunnel on a carrier of this connection. */
  hold(carrier: StreamCarrier, connection: WebSocketConnection | Tunnel): void {
    this.carriers.add(carrier);
    this.websockets.add(connection);
    connection.once('close', () => this.websockets.delete(connection));
    if (this.closedWith) carrier.fail(this.closedWith);
  }

  release(carrier: StreamCarrier): void {
    this.carriers.delete(carrier);
  }

  /** Resolves once the streams of ended WebSockets are all sent and acknowledged (quic/connection.ts), or after `limit` ms. */
  settled(limit = 2000): Promise<void> {
    return this.quicConnection.settled(limit);
  }

  connectionError(error: Http3Error): void {
    this.close(error.wireCode, error.message);
  }

  /**
   * Server: GOAWAY with the first request stream id not taken (RFC 9114
   * §5.2), so that the peer opens no more; streams already taken go on.
   */
  goaway(): void {
    if (this.role !== 'server' || this.goawaySent || this.closedWith || !this.control) return;
    this.goawaySent = true;
    this.control.write(encodeGoawayFrame(this.lastRequestId + 4));
  }

  /** Closes the QUIC connection: H3_NO_ERROR unless told otherwise (RFC 9114 §5.2, §8.1). */
  close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): void {
    if (this.closedWith) return;
    this.ended(new ConnectionClosedError(`the HTTP/3 connection was closed here with code 0x${code.toString(16)}${reason ? `: ${reason}` : ''}`));
    this.quicConnection.close(true, code, reason);
  }

  private openLocalStreams(): void {
    const local = this.session.localStreams();
    // RFC 9114 §6.2.1: the control stream is never closed; our QPACK streams carry nothing after their type.
    this.control = this.openUni(local.control);
    if (local.qpackEncoder) this.openUni(local.qpackEncoder);
    if (local.qpackDecoder) this.openUni(local.qpackDecoder);
  }

  private openUni(bytes: Buffer): QuicStream | undefined {
    try {
      const stream = this.quicConnection.openStream('uni');
      stream.write(bytes);
      return stream;
    } catch (error) {
      // The peer allowed fewer than three unidirectional streams (RFC 9114 §6.2 requires them).
      this.connectionError(new Http3Error('H3_STREAM_CREATION_ERROR', `cannot open a unidirectional stream: ${(error as Error).message}`));
      return undefined;
    }
  }

  private stream(stream: QuicStream): void {
    if (this.closedWith) return stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    if ((stream.id & 0x2) !== 0) return this.readUni(stream);
    if (this.react(this.session.receiveBidirectional(stream.id))) return stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    if (this.role === 'client') return stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    if (this.goawaySent) {
      // RFC 9114 §5.2: requests after our GOAWAY are refused, unprocessed.
      return stream.reset(H3ErrorCode.H3_REQUEST_REJECTED);
    }
    this.lastRequestId = Math.max(this.lastRequestId, stream.id);
    this.emit('request', stream);
  }

  private readUni(stream: QuicStream): void {
    stream.handler = {
      ...IGNORE,
      data: (chunk, fin) =>
        this.guard(() => {
          if (this.closedWith) return;
          // RFC 9114 §6.2: what a stream of an unknown type carries is read and discarded (the session ignores it) until its
          // FIN or reset; a STOP_SENDING instead would leave the stream in quiche for good (it collects streams as it reads them).
          this.react(this.session.receiveUnidirectional(stream.id, chunk, fin));
        }),
      reset: () => this.guard(() => void this.react(this.session.resetUnidirectional(stream.id))),
    };
  }

  /** Acts on session events; true after a connection error. */
  private react(events: readonly SessionEvent[]): boolean {
    for (const event of events) {
      switch (event.type) {
        case 'settings':
          this.emit('settings', event.settings);
          break;
        case 'goaway':
          this.goawayReceived = true;
          this.emit('goaway', event.id);
          break;
        case 'connection-error':
          this.connectionError(event.error);
          return true;
        default:
          break;
      }
    }
    return false;
  }

  private ended(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = this.goawayReceived ? new GoneAwayError('h3', `the HTTP/3 connection ended after the peer's GOAWAY: ${error.message}`, { cause: error }) : error;
    for (const carrier of [...this.carriers]) carrier.fail(this.closedWith);
    this.carriers.clear();
    this.emit('close', this.closedWith);
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.close(H3ErrorCode.H3_INTERNAL_ERROR, (error as Error)?.message ?? 'internal error');
    }
  }
}

/** How the QUIC connection ended, as the error its WebSockets fail with (they close with 1006). */
function describe(info: QuicCloseInfo): ConnectionClosedError {
  return new ConnectionClosedError(`the QUIC connection ${closeText(info)}`);
}
