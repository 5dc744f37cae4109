/**
 * The WebSocket interface of the WHATWG WebSockets Standard, for Node, over
 * any wstack transport: browser code runs unchanged. It follows the
 * standard's URL and subprotocol checks, the WebIDL conversions of its
 * arguments, Fetch's port blocking, `close()` argument checks, ready
 * states, `binaryType`, `bufferedAmount` (application bytes, as a browser
 * counts them), and its event order (an unclean close fires `error` before
 * `close`). web-platform-tests' websockets/*.any.js run against it
 * (test/wpt.ts).
 */
import { Blob } from 'node:buffer';
import { CloseCode, MAX_CLOSE_REASON_BYTES, parseWebSocketUrl } from '@wstack/protocol';
import type { CloseDetails, WebSocketConnection } from '@wstack/core';
import { hasBadPort } from './bad-ports.js';
import { connect as connectAny, type ClientOptions } from './connect.js';
import { byteLengthOf, requireArguments, toClampedUnsignedShort, toSendData, toSubprotocols, toUSVString, type SendData } from './websocket-idl.js';

export type BinaryType = 'blob' | 'arraybuffer';

/** Options beyond the standard: how to reach the server. */
export interface WebSocketOptions extends Omit<ClientOptions, 'protocols' | 'signal'> {
  /** Opens the connection; default: wstack's connect, over `transport` (default auto). */
  connect?: (url: string, options: ClientOptions) => Promise<WebSocketConnection>;
}

/** The close event of the standard (Node 20 has none of its own). */
export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

type Handler = ((event: Event) => void) | null;

const READY_STATES = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

function syntaxError(message: string): DOMException {
  return new DOMException(message, 'SyntaxError');
}

/** The standard's URL rules: http(s) becomes ws(s); other schemes and fragments (even empty) are SyntaxErrors. */
function parseUrl(input: unknown): URL {
  const text = toUSVString(input);
  try {
    return parseWebSocketUrl(text);
  } catch (error) {
    throw syntaxError((error as Error).message);
  }
}

/** The third argument is ours; a browser's constructor has two, and ignores a third of any other kind. */
function optionsOf(options: unknown): WebSocketOptions {
  return typeof options === 'object' && options !== null ? (options as WebSocketOptions) : {};
}

export class WebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  readonly url: string;
  private state: number = READY_STATES.CONNECTING;
  private binaryTypeValue: BinaryType = 'blob';
  private connection: WebSocketConnection | undefined;
  private protocolValue = '';
  private extensionsValue = '';
  /**
   * bufferedAmount (WebSockets Standard §3.2): the bytes of application data
   * given to send() and not yet handed to the network: text as UTF-8, binary
   * data as is, never frame headers or masks. A send counts at once and
   * stops counting when the connection says its bytes left (whenFlushed),
   * never sooner; what could not be sent (after the close started) stays
   * counted, as the standard says.
   */
  private buffered = 0;
  /** Sends wait here while a Blob ahead of them is being read, to keep their order. */
  private sendQueue: Promise<void> | undefined;
  private queuedSends = 0;
  private readonly abort = new AbortController();
  private readonly handlers: Record<string, { handler: Handler; listener: (event: Event) => void } | undefined> = {};

  constructor(url: string | URL, protocols?: string | string[], options?: WebSocketOptions) {
    super();
    requireArguments(arguments.length, 1, 'WebSocket');
    const parsed = parseUrl(url);
    this.url = parsed.href;
    const offered = toSubprotocols(protocols);
    const { connect = connectAny, ...clientOptions } = optionsOf(options);
    // A bad port makes the handshake's fetch a network error (Fetch §2.9): the connection fails, asynchronously, as any other.
    const opening = hasBadPort(parsed)
      ? Promise.reject(new Error(`port ${parsed.port} is blocked (Fetch Standard, port blocking)`))
      : connect(this.url, { ...clientOptions, protocols: offered, signal: this.abort.signal });
    opening.then(
      (connection) => this.opened(connection),
      () => this.failed(),
    );
  }

  /** CLOSING as soon as the closing handshake started on either side. */
  get readyState(): number {
    if (this.state === READY_STATES.OPEN && this.connection!.readyState !== READY_STATES.OPEN) this.state = READY_STATES.CLOSING;
    return this.state;
  }

  get protocol(): string {
    return this.protocolValue;
  }

  get extensions(): string {
    return this.extensionsValue;
  }

  get binaryType(): BinaryType {
    return this.binaryTypeValue;
  }

  /** Values other than 'blob' and 'arraybuffer' are ignored, as for any IDL enumeration. */
  set binaryType(value: BinaryType) {
    if (value === 'blob' || value === 'arraybuffer') this.binaryTypeValue = value;
  }

  get bufferedAmount(): number {
    return this.buffered;
  }

  get onopen(): Handler {
    return this.handlers.open?.handler ?? null;
  }
  set onopen(handler: Handler) {
    this.setHandler('open', handler);
  }
  get onmessage(): Handler {
    return this.handlers.message?.handler ?? null;
  }
  set onmessage(handler: Handler) {
    this.setHandler('message', handler);
  }
  get onerror(): Handler {
    return this.handlers.error?.handler ?? null;
  }
  set onerror(handler: Handler) {
    this.setHandler('error', handler);
  }
  get onclose(): Handler {
    return this.handlers.close?.handler ?? null;
  }
  set onclose(handler: Handler) {
    this.setHandler('close', handler);
  }

  /**
   * Sends data: a Blob, an ArrayBuffer or a view of one as a binary message,
   * anything else as text after WebIDL's string conversion (send(null)
   * sends "null"). Throws InvalidStateError while connecting; after the
   * close started, the data is counted in `bufferedAmount` and dropped, as
   * the standard says.
   */
  send(data: SendData): void {
    requireArguments(arguments.length, 1, 'send');
    const value = toSendData(data);
    const state = this.readyState;
    if (state === READY_STATES.CONNECTING) throw new DOMException('the WebSocket is still connecting', 'InvalidStateError');
    const bytes = byteLengthOf(value);
    this.buffered += bytes;
    if (state !== READY_STATES.OPEN) return;
    if (value instanceof Blob || this.queuedSends !== 0) return this.sendInOrder(value, bytes);
    this.sendNow(value, bytes);
  }

  /**
   * Starts the closing handshake. `code`, converted as WebIDL's `[Clamp]
   * unsigned short` (NaN is 0, 3000.5 is 3000), must be 1000 or 3000–4999
   * (InvalidAccessError otherwise); `reason`, lone surrogates replaced by
   * U+FFFD, at most 123 bytes of UTF-8 (SyntaxError otherwise). A reason
   * without a code goes with 1000 (WebSockets Standard, "close the
   * WebSocket").
   */
  close(code?: number, reason?: string): void {
    // WebIDL first: `optional [Clamp] unsigned short code, optional USVString reason`.
    const closeCode = code === undefined ? undefined : toClampedUnsignedShort(code);
    const closeReason = reason === undefined ? undefined : toUSVString(reason);
    if (closeCode !== undefined && closeCode !== CloseCode.NORMAL && (closeCode < 3000 || closeCode > 4999)) {
      throw new DOMException(`close code ${closeCode} is not 1000 or 3000-4999`, 'InvalidAccessError');
    }
    if (closeReason !== undefined && Buffer.byteLength(closeReason) > MAX_CLOSE_REASON_BYTES) {
      throw syntaxError(`the close reason is longer than ${MAX_CLOSE_REASON_BYTES} bytes`);
    }
    const state = this.readyState;
    if (state === READY_STATES.CLOSING || state === READY_STATES.CLOSED) return;
    if (state === READY_STATES.CONNECTING) {
      // Fail the WebSocket connection: the handshake is abandoned.
      this.state = READY_STATES.CLOSING;
      this.abort.abort();
      return;
    }
    this.state = READY_STATES.CLOSING;
    // No code and no reason: a close frame without a body. A reason without a code goes with 1000.
    if (closeCode === undefined && !closeReason) this.connection!.close();
    else this.connection!.close(closeCode ?? CloseCode.NORMAL, closeReason);
  }

  private opened(connection: WebSocketConnection): void {
    if (this.state !== READY_STATES.CONNECTING) {
      // close() was called while connecting: the connection came too late.
      connection.terminate();
      return this.failed();
    }
    this.connection = connection;
    this.protocolValue = connection.protocol;
    this.extensionsValue = connection.extensions;
    this.state = READY_STATES.OPEN;
    connection.on('message', (data, binary) => this.received(data, binary));
    connection.on('close', (details) => this.closed(details));
    this.dispatchEvent(new Event('open'));
  }

  private received(data: Buffer, binary: boolean): void {
    if (this.state !== READY_STATES.OPEN && this.state !== READY_STATES.CLOSING) return;
    let value: string | ArrayBuffer | Blob;
    if (!binary) value = data.toString('utf8');
    else if (this.binaryTypeValue === 'blob') value = new Blob([data]);
    else value = data.buffer.slice(data.byteOffset, data.byteOffset + data.length) as ArrayBuffer;
    this.dispatchEvent(new MessageEvent('message', { data: value, origin: new URL(this.url).origin }));
  }

  private failed(): void {
    this.closed({ code: CloseCode.ABNORMAL, reason: '', wasClean: false });
  }

  private closed(details: CloseDetails): void {
    if (this.state === READY_STATES.CLOSED) return;
    this.state = READY_STATES.CLOSED;
    // The standard fires error before close when the connection failed.
    if (!details.wasClean) this.dispatchEvent(new Event('error'));
    this.dispatchEvent(new CloseEvent('close', { code: details.code, reason: details.reason, wasClean: details.wasClean }));
  }

  /** Sends `bytes` of application data; they stop counting once the connection has handed them to the network. */
  private sendNow(data: Exclude<SendData, Blob>, bytes: number): void {
    const connection = this.connection!;
    if (typeof data === 'string') connection.send(data);
    else if (ArrayBuffer.isView(data)) connection.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { binary: true });
    else connection.send(Buffer.from(data as ArrayBuffer), { binary: true });
    // A send past maxBufferedAmount is dropped and closes the connection: it stays counted, as a send after the close does.
    if (connection.readyState === READY_STATES.OPEN) connection.whenFlushed(() => (this.buffered -= bytes));
  }

  /** A Blob is read asynchronously; it and everything sent after it go out in order. Its size counts from send() on. */
  private sendInOrder(data: SendData, bytes: number): void {
    this.queuedSends++;
    const previous = this.sendQueue ?? Promise.resolve();
    const read = data instanceof Blob ? data.arrayBuffer() : Promise.resolve(data);
    this.sendQueue = previous.then(async () => {
      const ready = await read;
      this.queuedSends--;
      // A close started meanwhile: the data is dropped and stays counted.
      if (this.readyState === READY_STATES.OPEN) this.sendNow(ready, bytes);
    });
  }

  private setHandler(type: string, handler: Handler): void {
    const existing = this.handlers[type];
    if (existing !== undefined) this.removeEventListener(type, existing.listener);
    if (typeof handler !== 'function') {
      this.handlers[type] = undefined;
      return;
    }
    const listener = (event: Event) => handler.call(this, event);
    this.handlers[type] = { handler, listener };
    this.addEventListener(type, listener);
  }
}
