/**
 * One QUIC connection speaking HTTP/3 (RFC 9114 §3.2, §6.2), server or
 * client side: it opens our control and QPACK streams, feeds the peer's
 * unidirectional streams to the sans-I/O session, hands out the peer's
 * request streams (server), and keeps the WebSockets riding it.
 *
 * What ends the connection ends its WebSockets: a CONNECTION_CLOSE, an idle
 * timeout or a connection error fails every carrier (the WebSockets close
 * with 1006); a GOAWAY closes them with 1001, going away (RFC 6455 §7.4.1),
 * while their streams still run (RFC 9114 §5.2). Tunnels (tunnel.ts in
 * @wstack/core) ride it like WebSockets but are not closed on GOAWAY: their
 * close frames are the far end's.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { QUICConnection, QUICStream } from '@matrixai/quic';
import { CloseCode, WebSocketConnection, type Tunnel } from '@wstack/core';
import { H3ErrorCode, Http3Error } from './errors.js';
import { encodeGoawayFrame } from './frames.js';
import { quic } from './quic-loader.js';
import { Http3Session, type Role, type SessionEvent } from './session.js';
import type { Http3Settings } from './settings.js';
import { cancelStream, type ReadResult, type StreamWriter } from './stream-io.js';
import type { CarrierHost, StreamCarrier } from './stream-carrier.js';

/** The QUIC connection ended (closed by either side, timed out idle, or failed). */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  readonly code = 'QUIC_CONNECTION_CLOSED';
}

export interface Http3ConnectionEvents {
  /** The peer's SETTINGS (RFC 9114 §7.2.4). */
  settings: [settings: Http3Settings];
  /** The peer's GOAWAY (RFC 9114 §5.2): no new requests. */
  goaway: [id: number];
  /** Server: a request stream the peer opened. */
  request: [stream: QUICStream];
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
  /** Streams of ended WebSockets that quiche may still be sending or retransmitting. */
  private readonly lingering = new Set<number>();
  private control: StreamWriter | undefined;
  private closedWith: Error | undefined;
  private goawaySent = false;
  /** Server: the highest request stream id taken so far. */
  private lastRequestId = -4;

  constructor(
    readonly quicConnection: QUICConnection,
    options: Http3ConnectionOptions,
  ) {
    super();
    this.role = options.role;
    this.session = new Http3Session({ role: options.role, ...(options.maxFieldSectionSize ? { maxFieldSectionSize: options.maxFieldSectionSize } : {}) });
    const { events } = quic;
    // Listener errors would become uncaught exceptions in the library's event system (README, quirk M): each listener guards itself.
    quicConnection.addEventListener(events.EventQUICConnectionStream.name, (event: Event) => this.guard(() => this.stream((event as unknown as { detail: QUICStream }).detail)));
    quicConnection.addEventListener(events.EventQUICConnectionError.name, (event: Event) => this.guard(() => this.ended((event as unknown as { detail: Error }).detail)));
    quicConnection.addEventListener(events.EventQUICConnectionStopped.name, () => this.guard(() => this.ended(undefined)), { once: true });
    this.openLocalStreams();
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  get peerSettings(): Http3Settings | undefined {
    return this.session.peerSettings;
  }

  /** The peer's SETTINGS, once they arrived; fails if the connection ends first. */
  settings(): Promise<Http3Settings> {
    const known = this.session.peerSettings;
    if (known) return Promise.resolve(known);
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
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
  }

  /** A new request stream (client). */
  newRequestStream(): QUICStream {
    return this.quicConnection.newStream('bidi');
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
    // A long-lived connection sees many WebSockets come and go: forget the streams quiche has already collected.
    if (this.lingering.size >= 64) this.sweep();
    this.lingering.add(carrier.streamId);
  }

  private sweep(): boolean {
    const native = (this.quicConnection as unknown as { conn?: NativeStreams }).conn;
    if (native === undefined) return false;
    for (const id of this.lingering) if (collected(native, id)) this.lingering.delete(id);
    return true;
  }

  /**
   * Resolves once quiche has forgotten the streams of ended WebSockets (their
   * last bytes and FIN acknowledged, or their reset), or after `limit` ms.
   * Closing the connection before that would drop what is still unsent: a
   * CONNECTION_CLOSE discards stream data (RFC 9000 §10.2), and the peer
   * would see its WebSocket fail with 1006 instead of a clean close. quiche
   * offers no event for it, so this looks every 10 ms.
   */
  async settled(limit = 2000): Promise<void> {
    const until = Date.now() + limit;
    while (!this.closedWith && this.sweep() && Date.now() < until) {
      if (this.lingering.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  connectionError(error: Http3Error): void {
    void this.close(error.wireCode, error.message);
  }

  /**
   * Server: GOAWAY with the first request stream id not taken (RFC 9114
   * §5.2), so that the peer opens no more; streams already taken go on.
   */
  goaway(): void {
    if (this.role !== 'server' || this.goawaySent || this.closedWith || !this.control) return;
    this.goawaySent = true;
    this.control.write(encodeGoawayFrame(this.lastRequestId + 4)).catch(() => undefined);
  }

  /** Closes the QUIC connection: H3_NO_ERROR unless told otherwise (RFC 9114 §5.2, §8.1). */
  async close(code: number = H3ErrorCode.H3_NO_ERROR, reason = ''): Promise<void> {
    if (this.closedWith) return;
    this.ended(new ConnectionClosedError(`the HTTP/3 connection was closed here with code 0x${code.toString(16)}${reason ? `: ${reason}` : ''}`));
    try {
      await this.quicConnection.stop({ isApp: true, errorCode: code, reason: Buffer.from(reason.slice(0, 100)), force: true });
    } catch {
      // Already stopping or stopped.
    }
  }

  private openLocalStreams(): void {
    const local = this.session.localStreams();
    // RFC 9114 §6.2.1: the control stream is never closed; our QPACK streams carry nothing after their type.
    this.control = this.openUni(local.control);
    if (local.qpackEncoder) this.openUni(local.qpackEncoder);
    if (local.qpackDecoder) this.openUni(local.qpackDecoder);
  }

  private openUni(bytes: Buffer): StreamWriter | undefined {
    try {
      const writer = this.quicConnection.newStream('uni').writable.getWriter();
      writer.write(bytes).catch(() => undefined);
      return writer;
    } catch (error) {
      // The peer allowed fewer than three unidirectional streams (RFC 9114 §6.2 requires them).
      this.connectionError(new Http3Error('H3_STREAM_CREATION_ERROR', `cannot open a unidirectional stream: ${(error as Error).message}`));
      return undefined;
    }
  }

  private stream(stream: QUICStream): void {
    if (this.closedWith) return cancelStream(stream);
    if (stream.type === 'uni') {
      this.readUni(stream).catch((error: unknown) => void this.close(H3ErrorCode.H3_INTERNAL_ERROR, (error as Error)?.message ?? 'internal error'));
      return;
    }
    if (this.react(this.session.receiveBidirectional(stream.streamId))) return cancelStream(stream);
    if (this.role === 'client') return cancelStream(stream);
    if (this.goawaySent) {
      // RFC 9114 §5.2: requests after our GOAWAY are refused, unprocessed.
      return cancelStream(stream, new Http3Error('H3_REQUEST_REJECTED', 'after GOAWAY'));
    }
    this.lastRequestId = Math.max(this.lastRequestId, stream.streamId);
    this.emit('request', stream);
  }

  private async readUni(stream: QUICStream): Promise<void> {
    const reader = stream.readable.getReader();
    for (;;) {
      let result: ReadResult;
      try {
        result = await reader.read();
      } catch {
        this.react(this.session.resetUnidirectional(stream.streamId));
        return;
      }
      if (this.closedWith) return;
      const events = this.session.receiveUnidirectional(stream.streamId, result.value ?? new Uint8Array(0), result.done);
      for (const event of events) {
        if (event.type === 'abort-reading') {
          // RFC 9114 §6.2: a stream of an unknown type is read no further.
          reader.cancel({ wireCode: event.wireCode }).catch(() => undefined);
          return;
        }
      }
      if (this.react(events) || result.done) return;
    }
  }

  /** Acts on session events; true after a connection error. */
  private react(events: readonly SessionEvent[]): boolean {
    for (const event of events) {
      switch (event.type) {
        case 'settings':
          this.emit('settings', event.settings);
          break;
        case 'goaway':
          this.emit('goaway', event.id);
          for (const open of this.websockets) {
            if (open instanceof WebSocketConnection && open.readyState === 1) open.close(CloseCode.GOING_AWAY, 'the HTTP/3 connection is going away');
          }
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

  private ended(error: Error | undefined): void {
    if (this.closedWith) return;
    this.closedWith = describe(error);
    for (const carrier of [...this.carriers]) carrier.fail(this.closedWith);
    this.carriers.clear();
    this.emit('close', this.closedWith);
  }

  private guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      void this.close(H3ErrorCode.H3_INTERNAL_ERROR, (error as Error)?.message ?? 'internal error');
    }
  }
}

/**
 * The library's close errors as one error type. The class of a peer's close
 * says little (an application code 0x100–0x1ff reads as a TLS error without
 * patch C, README); `data` holds the facts.
 */
function describe(error: Error | undefined): Error {
  if (error instanceof ConnectionClosedError) return error;
  const data = (error as { data?: { isApp?: boolean; errorCode?: number } } | undefined)?.data;
  const { errors } = quic;
  let what: string;
  if (error instanceof errors.ErrorQUICConnectionIdleTimeout) what = 'timed out idle';
  else if (error instanceof errors.ErrorQUICConnectionPeer || error instanceof errors.ErrorQUICConnectionPeerTLS) what = 'was closed by the peer';
  else if (error === undefined) what = 'ended';
  else what = 'was closed';
  const code = data?.errorCode !== undefined ? ` with ${data.isApp ? 'application' : 'transport'} code 0x${data.errorCode.toString(16)}` : '';
  return new ConnectionClosedError(`the QUIC connection ${what}${code}`, error === undefined ? undefined : { cause: error });
}

/** The part of the library's native quiche connection (a field its typings leave out) that tells whether a stream is still known. */
interface NativeStreams {
  streamCapacity(id: number): number;
}

/** quiche collects a stream once both directions are complete; after that it knows no such stream (InvalidStreamState). */
function collected(native: NativeStreams, id: number): boolean {
  try {
    native.streamCapacity(id);
    return false;
  } catch (error) {
    return String((error as Error)?.message).startsWith('InvalidStreamState');
  }
}
