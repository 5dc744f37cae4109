/**
 * The WebSocket interface of the WHATWG WebSockets Standard, for Node, over
 * any wstack transport: browser code runs unchanged. It follows the
 * standard's URL and subprotocol checks, `close()` argument checks, ready
 * states, `binaryType`, `bufferedAmount`, and its event order (an unclean
 * close fires `error` before `close`).
 */
import { Blob } from 'node:buffer';
import { CloseCode, MAX_CLOSE_REASON_BYTES, isToken, parseWebSocketUrl } from '@wstack/protocol';
import type { CloseDetails, WebSocketConnection } from '@wstack/core';
import { connect as connectAny, type ClientOptions } from './connect.js';

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
type SendData = string | ArrayBufferLike | ArrayBufferView | Blob;

const READY_STATES = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;

function syntaxError(message: string): DOMException {
  return new DOMException(message, 'SyntaxError');
}

/** The standard's URL rules: http(s) becomes ws(s); other schemes and fragments are SyntaxErrors. */
function parseUrl(input: string | URL): URL {
  try {
    return parseWebSocketUrl(String(input));
  } catch (error) {
    throw syntaxError((error as Error).message);
  }
}

function parseProtocols(protocols: string | string[] | undefined): string[] {
  const list = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : [...protocols];
  const seen = new Set<string>();
  for (const protocol of list) {
    if (!isToken(protocol) || seen.has(protocol)) throw syntaxError(`invalid or repeated subprotocol ${JSON.stringify(protocol)}`);
    seen.add(protocol);
  }
  return list;
}

function byteLength(data: SendData): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof Blob) return data.size;
  return data.byteLength;
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
  /** Bytes given to send() after the close started (the standard still counts them). */
  private discardedBytes = 0;
  /** Sends wait here while a Blob ahead of them is being read, to keep their order. */
  private sendQueue: Promise<void> | undefined;
  private queuedSends = 0;
  private readonly abort = new AbortController();
  private readonly handlers: Record<string, { handler: Handler; listener: (event: Event) => void } | undefined> = {};

  constructor(url: string | URL, protocols?: string | string[], options: WebSocketOptions = {}) {
    super();
    const parsed = parseUrl(url);
    this.url = parsed.href;
    const offered = parseProtocols(protocols);
    const { connect = connectAny, ...clientOptions } = options;
    connect(this.url, { ...clientOptions, protocols: offered, signal: this.abort.signal }).then(
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
    return (this.connection?.bufferedAmount ?? 0) + this.discardedBytes;
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
   * Sends data (text, ArrayBuffer, a view, or a Blob). Throws
   * InvalidStateError while connecting; after the close started, the data is
   * counted in `bufferedAmount` and dropped, as the standard says.
   */
  send(data: SendData): void {
    const state = this.readyState;
    if (state === READY_STATES.CONNECTING) throw new DOMException('the WebSocket is still connecting', 'InvalidStateError');
    if (state !== READY_STATES.OPEN) {
      this.discardedBytes += byteLength(data);
      return;
    }
    if (data instanceof Blob || this.queuedSends !== 0) return this.sendInOrder(data);
    this.sendNow(data);
  }

  /**
   * Starts the closing handshake. `code` must be 1000 or 3000–4999
   * (InvalidAccessError otherwise), `reason` at most 123 bytes of UTF-8
   * (SyntaxError otherwise).
   */
  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== CloseCode.NORMAL && (code < 3000 || code > 4999 || !Number.isInteger(code))) {
      throw new DOMException(`close code ${code} is not 1000 or 3000-4999`, 'InvalidAccessError');
    }
    if (reason !== undefined && Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) {
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
    if (code === undefined) this.connection!.close();
    else this.connection!.close(code, reason);
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

  private sendNow(data: Exclude<SendData, Blob>): void {
    if (typeof data === 'string') this.connection!.send(data);
    else if (ArrayBuffer.isView(data)) this.connection!.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { binary: true });
    else this.connection!.send(Buffer.from(data as ArrayBuffer), { binary: true });
  }

  /** A Blob is read asynchronously; it and everything sent after it go out in order. */
  private sendInOrder(data: SendData): void {
    this.queuedSends++;
    const previous = this.sendQueue ?? Promise.resolve();
    const bytes = data instanceof Blob ? data.arrayBuffer() : Promise.resolve(data);
    this.sendQueue = previous.then(async () => {
      const ready = await bytes;
      this.queuedSends--;
      if (this.readyState === READY_STATES.OPEN) this.sendNow(ready);
      else this.discardedBytes += byteLength(ready);
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
