/**
 * WebSocketConnection: the one type applications see, whatever the transport.
 * It drives the sans-I/O Protocol over a Carrier: bytes from the carrier go
 * into the protocol, the protocol's events come out as events (or through
 * async iteration), and calls become bytes for the carrier.
 */
import { EventEmitter } from 'node:events';
import type { Carrier, Transport } from './carrier.js';
import { encodeClosePayload } from './close.js';
import { CloseCode, ProtocolError, UsageError } from './errors.js';
import { Keepalive } from './keepalive.js';
import { MessageQueue, type Message } from './message-queue.js';
import { MessageWriter } from './message-writer.js';
import { Protocol, type ProtocolEvent, type ProtocolOptions, type Role } from './protocol.js';

export type { Message };

export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyStateValue = (typeof ReadyState)[keyof typeof ReadyState];

export interface ConnectionOptions extends Omit<ProtocolOptions, 'role'> {
  /**
   * Bytes buffered (unsent, or received but not consumed by an async
   * iterator) above which `send` returns false and reading pauses.
   * Default 128 KiB.
   */
  highWaterMark?: number;
  /** Send a ping after this many ms without hearing from the peer; 0 (default) turns keepalive off. */
  pingInterval?: number;
  /** Abort the connection when nothing arrives this many ms after a keepalive ping. Default: pingInterval. */
  pongTimeout?: number;
  /** Close with 1001 after this many ms without a message in either direction; 0 (default) is off. */
  idleTimeout?: number;
  /** After sending a close frame, abort the carrier if it is not closed within this many ms. Default 10 s. */
  closeTimeout?: number;
}

export const DEFAULT_HIGH_WATER_MARK = 128 * 1024;
export const DEFAULT_CLOSE_TIMEOUT = 10_000;

/** What the handshake settled, handed to the connection by the transport. */
export interface Negotiated {
  /** The subprotocol in use, '' for none. */
  protocol?: string;
  /** The extensions in use, as the handshake's header value; '' for none. */
  extensions?: string;
  /** The request target, e.g. '/chat?room=1'. */
  path?: string;
}

export interface CloseDetails {
  /** The WebSocket Connection Close Code (RFC 6455 §7.1.5): the peer's, or 1005, or 1006. */
  code: number;
  reason: string;
  /** Both close frames were exchanged (§7.1.4). */
  wasClean: boolean;
  /** Why the connection failed, when it did: a ProtocolError, a carrier error, a timeout. */
  error?: Error;
}

export interface ConnectionEvents {
  message: [data: Buffer, binary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** The send buffer fell below the high-water mark after `send` returned false. */
  drain: [];
  /** Emitted only when a listener exists; the same error is in the close details. */
  error: [error: Error];
  close: [details: CloseDetails];
  /** Node's own: a listener is being added. */
  newListener: [event: string | symbol, listener: (...args: unknown[]) => void];
}

export type SendData = string | Buffer | ArrayBuffer | ArrayBufferView;

export interface SendOptions {
  /** Send as binary; default: true for bytes, false for strings. */
  binary?: boolean;
}

/** Raised on the connection when keepalive, idle or close timers run out. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly code: 'PONG_TIMEOUT' | 'CLOSE_TIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

export function toBuffer(data: Exclude<SendData, string>): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export class WebSocketConnection extends EventEmitter<ConnectionEvents> {
  static readonly CONNECTING = ReadyState.CONNECTING;
  static readonly OPEN = ReadyState.OPEN;
  static readonly CLOSING = ReadyState.CLOSING;
  static readonly CLOSED = ReadyState.CLOSED;

  readonly role: Role;
  readonly transport: Transport;
  readonly protocol: string;
  readonly extensions: string;
  readonly path: string;

  private readonly carrier: Carrier;
  private readonly engine: Protocol;
  private readonly highWaterMark: number;
  private readonly closeTimeout: number;
  private state: ReadyStateValue = ReadyState.OPEN;
  private writable = true;
  private carrierEnded = false;
  /** terminate() was called: deliver nothing more. */
  private aborted = false;
  /** Messages that arrived before anyone consumed messages. */
  private held: Message[] | undefined;
  private heldBytes = 0;
  private pausedForHeld = false;
  private releasing = false;
  private failure: Error | undefined;
  private closeDetailsValue: CloseDetails | undefined;
  private queue: MessageQueue | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private keepalive: Keepalive | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(role: Role, carrier: Carrier, negotiated: Negotiated = {}, options: ConnectionOptions = {}) {
    super();
    this.role = role;
    this.carrier = carrier;
    this.transport = carrier.transport;
    this.protocol = negotiated.protocol ?? '';
    this.extensions = negotiated.extensions ?? '';
    this.path = negotiated.path ?? '';
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.engine = new Protocol({ ...options, role });
    if (options.pingInterval) {
      const timeout = options.pongTimeout ?? options.pingInterval;
      this.keepalive = new Keepalive(options.pingInterval, timeout, {
        ping: () => {
          if (this.state === ReadyState.OPEN) this.ping();
        },
        silent: () => this.abortWith(new TimeoutError('PONG_TIMEOUT', `no answer to a keepalive ping within ${timeout} ms`)),
      });
    }
    if (options.idleTimeout) {
      this.idleTimer = setTimeout(() => this.closeIfOpen(CloseCode.GOING_AWAY, 'idle timeout'), options.idleTimeout);
    }
    carrier.attach({
      data: (chunk) => this.receive(chunk),
      end: () => this.receiveEnd(),
      drain: () => this.drain(),
      close: (error) => this.closed(error),
    });
  }

  get readyState(): ReadyStateValue {
    return this.state;
  }

  /** Bytes queued to send but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.carrier.bufferedAmount;
  }

  /** How the connection ended, once the close event has fired. */
  get closeDetails(): CloseDetails | undefined {
    return this.closeDetailsValue;
  }

  /**
   * Sends a message. Returns false when the send buffer is at or above the
   * high-water mark: wait for 'drain' (or `await drained()`) before more.
   */
  send(data: SendData, options?: SendOptions): boolean {
    this.assertOpen();
    if (typeof data === 'string') {
      if (options?.binary) this.engine.sendBinary(Buffer.from(data));
      else this.engine.sendText(data);
    } else if (options?.binary === false) {
      this.engine.sendText(toBuffer(data));
    } else {
      this.engine.sendBinary(toBuffer(data));
    }
    this.idleTimer?.refresh();
    return this.flush();
  }

  /**
   * Starts a message sent in fragments (RFC 6455 §5.4): each `write` sends
   * one frame, `end` the final one. No other message may be sent meanwhile.
   */
  sendFragments(options?: SendOptions): MessageWriter {
    this.assertOpen();
    return new MessageWriter(options?.binary ?? true, (data, binary, first, fin) => {
      this.assertOpen();
      if (!first) this.engine.sendContinuation(data, fin);
      else if (binary) this.engine.sendBinary(data, fin);
      else this.engine.sendText(data, fin);
      this.idleTimer?.refresh();
      return this.flush();
    });
  }

  /** Resolves once the send buffer is below the high-water mark (at once if it is). */
  drained(): Promise<void> {
    if (this.writable || this.state === ReadyState.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.off('drain', done);
        this.off('close', done);
        resolve();
      };
      this.on('drain', done);
      this.on('close', done);
    });
  }

  ping(data?: SendData): void {
    this.assertOpen();
    this.engine.ping(data === undefined || typeof data === 'string' ? data : toBuffer(data));
    this.flush();
  }

  pong(data?: SendData): void {
    this.assertOpen();
    this.engine.pong(data === undefined || typeof data === 'string' ? data : toBuffer(data));
    this.flush();
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2). Without a code the close
   * frame has no body. Does nothing once a close frame was sent or the
   * connection is closed. Throws UsageError for a code or reason that may
   * not be sent.
   */
  close(code?: number, reason?: string): void {
    if (this.state === ReadyState.CLOSED || this.aborted) {
      encodeClosePayload(code, reason); // still checks the arguments
      return;
    }
    this.engine.close(code, reason);
    this.state = ReadyState.CLOSING;
    this.flush();
    this.startCloseTimer();
  }

  /**
   * Tears the connection down at once, without a closing handshake (close
   * code 1006). Nothing more is delivered; the close event follows.
   */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.aborted = true;
    this.state = ReadyState.CLOSING;
    this.carrier.abort();
  }

  /** Stops reading from the peer until `resume`. */
  pause(): void {
    this.carrier.pause();
  }

  resume(): void {
    this.carrier.resume();
  }

  /**
   * Messages in order, with backpressure: reading pauses while more than the
   * high-water mark waits to be consumed. The loop ends when the connection
   * closes cleanly and throws when it fails; leaving the loop early (break)
   * closes the connection with 1000.
   */
  [Symbol.asyncIterator](): AsyncIterator<Message> {
    if (this.queue !== undefined) throw new UsageError('INVALID_STATE', 'the connection is already being iterated');
    const queue = new MessageQueue(this.highWaterMark, {
      pause: () => this.carrier.pause(),
      resume: () => this.carrier.resume(),
      stop: () => this.closeIfOpen(CloseCode.NORMAL),
    });
    this.queue = queue;
    if (this.held !== undefined) {
      // Held messages go first, before the end.
      const held = this.held;
      this.held = undefined;
      this.off('newListener', WebSocketConnection.releaseOnMessageListener);
      for (const message of held) queue.push(message);
      if (this.pausedForHeld) {
        this.pausedForHeld = false;
        this.carrier.resume();
      }
    }
    if (this.closeDetailsValue !== undefined) queue.finish(this.closeDetailsValue);
    return queue;
  }

  /** Aborts the carrier with `error`, which the close details will carry. */
  private abortWith(error: Error): void {
    this.failure ??= error;
    this.terminate();
  }

  private receive(chunk: Buffer): void {
    this.keepalive?.heard();
    this.engine.receiveData(chunk);
    this.dispatch(this.engine.eventsReceived());
    this.flush();
  }

  private receiveEnd(): void {
    this.engine.receiveEof();
    this.dispatch(this.engine.eventsReceived());
    this.flush();
  }

  private dispatch(events: ProtocolEvent[]): void {
    for (const event of events) {
      if (this.aborted || this.state === ReadyState.CLOSED) return;
      switch (event.type) {
        case 'message':
          this.idleTimer?.refresh();
          if (this.held !== undefined || (this.queue === undefined && this.listenerCount('message') === 0)) this.hold(event);
          else this.deliver(event);
          break;
        case 'ping':
          this.emit('ping', event.data);
          break;
        case 'pong':
          this.emit('pong', event.data);
          break;
        case 'close':
          this.state = ReadyState.CLOSING;
          this.startCloseTimer();
          break;
        case 'error':
          this.fail(event.error);
          break;
      }
    }
  }

  private deliver(message: Message): void {
    this.queue?.push(message);
    this.emit('message', message.data, message.binary);
  }

  /**
   * Nobody consumes messages yet (the application attaches its listener
   * after `await connect(…)`, say): keep them, with backpressure, until a
   * 'message' listener or an iterator arrives.
   */
  private hold(message: Message): void {
    if (this.held === undefined) {
      this.held = [];
      this.heldBytes = 0;
      this.on('newListener', WebSocketConnection.releaseOnMessageListener);
    }
    this.held.push(message);
    this.heldBytes += message.data.length;
    if (!this.pausedForHeld && this.heldBytes >= this.highWaterMark) {
      this.pausedForHeld = true;
      this.carrier.pause();
    }
  }

  /** A 'newListener' listener shared by all connections: a 'message' listener releases held messages. */
  private static readonly releaseOnMessageListener = function (this: WebSocketConnection, event: string | symbol): void {
    if (event === 'message') this.releaseHeld();
  };

  /** Hands the held messages over once the new consumer is in place. */
  private releaseHeld(): void {
    if (this.held === undefined || this.releasing) return;
    this.releasing = true;
    queueMicrotask(() => {
      const held = this.held!;
      this.held = undefined;
      this.releasing = false;
      this.off('newListener', WebSocketConnection.releaseOnMessageListener);
      for (const message of held) {
        if (this.aborted) break;
        this.deliver(message);
      }
      if (this.pausedForHeld) {
        this.pausedForHeld = false;
        this.carrier.resume();
      }
    });
  }

  private fail(error: ProtocolError | TimeoutError): void {
    this.failure ??= error;
    if (this.state === ReadyState.OPEN) this.state = ReadyState.CLOSING;
    this.startCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** Writes what the protocol produced; ends the carrier when the protocol says so. */
  private flush(): boolean {
    const chunks = this.engine.dataToSend();
    if (chunks.length !== 0 && !this.carrierEnded && !this.carrier.write(chunks)) this.writable = false;
    const closeSent = this.engine.closeSent !== undefined;
    if (!this.carrierEnded && (this.engine.outputEnded || (closeSent && this.carrier.endsAfterCloseFrame))) {
      this.carrierEnded = true;
      this.carrier.end();
    }
    return this.writable;
  }

  private drain(): void {
    if (this.writable) return;
    this.writable = true;
    this.emit('drain');
  }

  private startCloseTimer(): void {
    if (this.closeTimer !== undefined) return;
    this.closeTimer = setTimeout(() => {
      this.abortWith(new TimeoutError('CLOSE_TIMEOUT', `the connection did not close within ${this.closeTimeout} ms`));
    }, this.closeTimeout);
  }

  private closeIfOpen(code: number, reason?: string): void {
    if (this.state === ReadyState.OPEN) this.close(code, reason);
  }

  private closed(error: Error | undefined): void {
    if (this.state === ReadyState.CLOSED) return;
    this.state = ReadyState.CLOSED;
    clearTimeout(this.closeTimer);
    clearTimeout(this.idleTimer);
    this.keepalive?.stop();
    const sent = this.engine.closeSent;
    const received = this.engine.closeReceived;
    const wasClean = sent !== undefined && received !== undefined && !(this.failure instanceof ProtocolError);
    const details: CloseDetails = {
      code: this.engine.closeCode,
      reason: this.engine.closeReason,
      wasClean,
    };
    const cause = this.failure ?? (wasClean ? undefined : error);
    if (cause !== undefined) details.error = cause;
    this.closeDetailsValue = details;
    this.queue?.finish(details);
    this.emit('close', details);
  }

  private assertOpen(): void {
    if (this.state !== ReadyState.OPEN) {
      const name = ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'][this.state];
      throw new UsageError('INVALID_STATE', `cannot send: the connection is ${name}`);
    }
  }
}
