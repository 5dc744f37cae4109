/**
 * The socket of `wstack/ws`: the API of the `ws` package's WebSocket class
 * (version 8) over a wstack connection of any transport. A WebSocketServer
 * hands one over for each WebSocket it accepts; `new WebSocket(url)` dials
 * with wstack's connect, over the transport the `transport` option names.
 */
import { EventEmitter } from 'node:events';
import type { CloseDetails, MessageWriter, WebSocketConnection } from '@wstack/core';
import { HandshakeError } from '@wstack/protocol';
import { connect } from '../connect.js';
import { clientOptions, type WsClientOptions } from './client-options.js';
import { addEventListener, removeEventListener, eventHandler, setEventHandler, type ListenerOptions, type WsEventType } from './event-target.js';

export type BinaryType = 'nodebuffer' | 'arraybuffer' | 'fragments';
const BINARY_TYPES: readonly string[] = ['nodebuffer', 'arraybuffer', 'fragments'];
const STATE_NAMES = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const;

export interface WsSendOptions {
  /** Default: true for anything but a string. */
  binary?: boolean;
  /** Compress when permessage-deflate was negotiated. Default true. */
  compress?: boolean;
  /** False sends a fragment: the message goes on with the next `send` and ends with `fin: true`. Default true. */
  fin?: boolean;
  /** Ignored: a client always masks, a server never does (RFC 6455 §5.1). */
  mask?: boolean;
}

export type SendCallback = (error?: Error) => void;

/** Called by a WebSocketServer: puts an accepted connection under a socket of this class. */
export const ADOPT = Symbol('adopt');

export class WebSocket extends EventEmitter {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  /** The server's URL (clients); undefined on a server's sockets, as in ws. */
  readonly url: string | undefined;
  private connection: WebSocketConnection | undefined;
  private state = 0;
  private binaryTypeValue: BinaryType = 'nodebuffer';
  private pausedValue = false;
  /** Bytes given to send() after the close began: counted in bufferedAmount, as ws does. */
  private afterClose = 0;
  private fragments: MessageWriter | undefined;
  private readonly abort = new AbortController();

  constructor(address: string | URL | null, protocols?: string | string[] | WsClientOptions, options?: WsClientOptions) {
    super();
    if (address === null) {
      this.url = undefined;
      return;
    }
    if (protocols !== undefined && !Array.isArray(protocols) && typeof protocols === 'object') [protocols, options] = [undefined, protocols];
    const offered = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : (protocols as string[]);
    this.url = String(address);
    const { options: connectOptions, upgradeResponse } = clientOptions(offered, options ?? {}, this.abort.signal);
    connect(this.url, connectOptions).then(
      (connection) => {
        if (this.state !== WebSocket.CONNECTING) return connection.terminate();
        this.emit('upgrade', upgradeResponse(connection));
        this[ADOPT](connection);
        this.emit('open');
      },
      (error: Error) => this.handshakeFailed(error),
    );
  }

  get readyState(): number {
    if (this.state === WebSocket.OPEN && this.connection!.readyState !== WebSocket.OPEN) return this.connection!.readyState;
    return this.state;
  }

  get protocol(): string {
    return this.connection?.protocol ?? '';
  }

  get extensions(): string {
    return this.connection?.extensions ?? '';
  }

  /** The transport the WebSocket rides: 'http/1.1', 'h2' or 'h3' (wstack's own; ws has none). */
  get transport(): string | undefined {
    return this.connection?.transport;
  }

  get binaryType(): BinaryType {
    return this.binaryTypeValue;
  }

  /** Other values are ignored, as ws does. */
  set binaryType(type: BinaryType) {
    if (BINARY_TYPES.includes(type)) this.binaryTypeValue = type;
  }

  get bufferedAmount(): number {
    return (this.connection?.bufferedAmount ?? 0) + this.afterClose;
  }

  get isPaused(): boolean {
    return this.pausedValue;
  }

  /**
   * Sends a message (or, with `fin: false`, a fragment of one). The callback
   * runs once the data was taken by the transport within its flow control,
   * or with an error when the WebSocket closed first.
   */
  send(data: unknown, options?: WsSendOptions | SendCallback, callback?: SendCallback): void {
    if (typeof options === 'function') [options, callback] = [undefined, options];
    const payload = typeof data === 'number' ? String(data) : (data as string | Buffer);
    if (!this.usable(payload, callback)) return;
    const binary = options?.binary ?? typeof payload !== 'string';
    const compress = options?.compress ?? true;
    const connection = this.connection!;
    if (options?.fin === false || this.fragments !== undefined) {
      this.fragments ??= connection.sendFragments({ binary, compress });
      const writer = this.fragments;
      if (options?.fin === false) writer.write(toBytes(payload));
      else {
        this.fragments = undefined;
        writer.end(toBytes(payload));
      }
    } else {
      connection.send(typeof payload === 'string' ? payload : toBytes(payload), { binary, compress });
    }
    if (callback === undefined) return;
    // The connection refused this send and began to close: more than maxBufferedAmount waited (a peer that does not read).
    if (connection.readyState !== WebSocket.OPEN) process.nextTick(callback, new Error('the message was dropped: more than maxBufferedAmount waits to be sent, and the WebSocket is closing'));
    else this.whenTaken(callback);
  }

  ping(data?: unknown, _mask?: boolean | SendCallback, callback?: SendCallback): void {
    this.control('ping', data, _mask, callback);
  }

  pong(data?: unknown, _mask?: boolean | SendCallback, callback?: SendCallback): void {
    this.control('pong', data, _mask, callback);
  }

  /** Starts the closing handshake; while connecting, the attempt is abandoned (an 'error', then 'close' with 1006). */
  close(code?: number, reason?: string | Buffer): void {
    if (this.state === WebSocket.CLOSED) return;
    if (this.state === WebSocket.CONNECTING) return this.abandon('WebSocket was closed before the connection was established');
    if (this.readyState !== WebSocket.OPEN) return;
    this.connection!.close(code, Buffer.isBuffer(reason) ? reason.toString() : reason);
  }

  terminate(): void {
    if (this.state === WebSocket.CLOSED) return;
    if (this.state === WebSocket.CONNECTING) return this.abandon('WebSocket was closed before the connection was established');
    this.connection!.terminate();
  }

  pause(): void {
    if (this.state === WebSocket.CONNECTING || this.state === WebSocket.CLOSED) return;
    this.pausedValue = true;
    this.connection!.pause();
  }

  resume(): void {
    if (this.state === WebSocket.CONNECTING || this.state === WebSocket.CLOSED) return;
    this.pausedValue = false;
    this.connection!.resume();
  }

  // The browser-like interface ws offers beside its events.
  addEventListener(type: WsEventType, listener: (event: object) => void, options?: ListenerOptions): void {
    addEventListener(this, type, listener, options);
  }
  removeEventListener(type: WsEventType, listener: (event: object) => void): void {
    removeEventListener(this, type, listener);
  }
  get onopen(): ((event: object) => void) | null {
    return eventHandler(this, 'open');
  }
  set onopen(handler: ((event: object) => void) | null) {
    setEventHandler(this, 'open', handler);
  }
  get onmessage(): ((event: object) => void) | null {
    return eventHandler(this, 'message');
  }
  set onmessage(handler: ((event: object) => void) | null) {
    setEventHandler(this, 'message', handler);
  }
  get onerror(): ((event: object) => void) | null {
    return eventHandler(this, 'error');
  }
  set onerror(handler: ((event: object) => void) | null) {
    setEventHandler(this, 'error', handler);
  }
  get onclose(): ((event: object) => void) | null {
    return eventHandler(this, 'close');
  }
  set onclose(handler: ((event: object) => void) | null) {
    setEventHandler(this, 'close', handler);
  }

  [ADOPT](connection: WebSocketConnection): void {
    this.connection = connection;
    this.state = WebSocket.OPEN;
    connection.on('message', (data, binary) => this.emit('message', this.shaped(data), binary));
    connection.on('ping', (data) => this.emit('ping', data));
    connection.on('pong', (data) => this.emit('pong', data));
    connection.on('close', (details) => this.closed(details));
  }

  private shaped(data: Buffer): Buffer | ArrayBuffer | Buffer[] {
    if (this.binaryTypeValue === 'arraybuffer') return data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer;
    if (this.binaryTypeValue === 'fragments') return [data];
    return data;
  }

  private closed(details: CloseDetails): void {
    this.state = WebSocket.CLOSED;
    // ws reports what failed the connection (a protocol violation, a lost transport) before the close; nobody listening, no throw.
    if (details.error !== undefined && this.listenerCount('error') > 0) this.emit('error', details.error);
    this.emit('close', details.code, Buffer.from(details.reason));
  }

  private handshakeFailed(error: Error): void {
    if (this.state === WebSocket.CLOSED) return;
    this.state = WebSocket.CLOSED;
    if (error instanceof HandshakeError && error.code === 'UNEXPECTED_STATUS' && this.listenerCount('unexpected-response') > 0) {
      this.emit('unexpected-response', undefined, { statusCode: error.status, statusMessage: error.message, headers: {} });
    } else if (!this.abort.signal.aborted) {
      const message = error instanceof HandshakeError && error.code === 'UNEXPECTED_STATUS' ? `Unexpected server response: ${error.status}` : error.message;
      this.emitError(Object.assign(new Error(message), { cause: error }));
    }
    this.emit('close', 1006, Buffer.alloc(0));
  }

  /** As ws does: the error and the close come on the next tick, after the call that abandoned the handshake returned. */
  private abandon(message: string): void {
    this.state = WebSocket.CLOSED;
    this.abort.abort();
    process.nextTick(() => {
      this.emitError(new Error(message));
      this.emit('close', 1006, Buffer.alloc(0));
    });
  }

  private emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** ws's rules for a send: an error while connecting; after the close began, the bytes are counted and the callback errs. */
  private usable(data: unknown, callback: SendCallback | undefined): boolean {
    const state = this.readyState;
    if (state === WebSocket.OPEN) return true;
    if (state === WebSocket.CONNECTING) throw new Error('WebSocket is not open: readyState 0 (CONNECTING)');
    this.afterClose += data === undefined ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : toBytes(data).length;
    if (callback !== undefined) {
      const error = new Error(`WebSocket is not open: readyState ${state} (${STATE_NAMES[state]})`);
      process.nextTick(callback, error);
    }
    return false;
  }

  private control(kind: 'ping' | 'pong', data: unknown, mask: boolean | SendCallback | undefined, callback: SendCallback | undefined): void {
    if (typeof data === 'function') [data, callback] = [undefined, data as SendCallback];
    else if (typeof mask === 'function') callback = mask;
    const payload = typeof data === 'number' ? String(data) : data;
    if (!this.usable(payload, callback)) return;
    this.connection![kind](payload === undefined ? undefined : typeof payload === 'string' ? payload : toBytes(payload));
    if (callback !== undefined) process.nextTick(callback);
  }

  /** The callback of a send: once what waits is within the high-water mark again, or with an error if the WebSocket ended first. */
  private whenTaken(callback: SendCallback): void {
    const connection = this.connection!;
    void connection.drained().then(() => {
      const details = connection.closeDetails;
      if (details === undefined || details.wasClean) callback();
      else callback(details.error ?? new Error(`the WebSocket closed (${details.code}) before the message was sent`));
    });
  }
}

/** ws's conversions: Buffers as they are, ArrayBuffers and views without a copy, anything else through Buffer.from. */
function toBytes(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data);
  return Buffer.from(data as Uint8Array);
}
