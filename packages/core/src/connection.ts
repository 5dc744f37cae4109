/**
 * WebSocketConnection: the one type applications see, whatever the transport.
 * It drives the sans-I/O Protocol over a Carrier: bytes from the carrier go
 * into the protocol, the protocol's events come out as events (or through
 * async iteration), and calls become bytes for the carrier.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { CloseCode, encodeClosePayload, Protocol, ProtocolError, UsageError, type Role } from '@wstack/protocol';
import type { Carrier, CarrierEvents, Transport } from './carrier.js';
import { DEFAULT_CLOSE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, DEFAULT_MAX_SEND_BUFFER, ReadyState, closeDetailsOf } from './connection-types.js';
import type { CloseDetails, ConnectionEvents, ConnectionOptions, MessageCounts, Negotiated, ReadyStateValue } from './connection-types.js';
import { PerMessageDeflate } from './deflate.js';
import { TimeoutError, type SendBufferFullError } from './errors.js';
import { Keepalive, type KeepaliveActions } from './keepalive.js';
import { CloseClock } from './close-clock.js';
import { firstEvent } from './first-event.js';
import { Inbound, type ControlEvent, type InboundOwner, type Message } from './inbound.js';
import type { MessageWriter } from './message-writer.js';
import type { PreparedMessage } from './prepared-message.js';
import type { SendData, SendOptions } from './send-data.js';
import { Sender, type SenderOwner } from './sender.js';
import { topicsGiven, type TopicsLike } from './topics.js';

export * from './connection-types.js';
export type { Message };

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
  /** The peer's handshake fields, names in lower case: the server's answer for a client, the request's for a server. */
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;

  private readonly carrier: Carrier;
  private readonly engine: Protocol;
  private readonly highWaterMark: number;
  private state: ReadyStateValue = ReadyState.OPEN;
  /** terminate() was called: deliver nothing more. */
  private aborted = false;
  /** Received events on their way to the application: inflated, delivered or waiting for a consumer. */
  private readonly inbound: Inbound;
  /** permessage-deflate, when negotiated. */
  private readonly deflate: PerMessageDeflate | undefined;
  private readonly sender: Sender;
  private failure: Error | undefined;
  private closeDetailsValue: CloseDetails | undefined;
  private readonly closeTimeout: number;
  /** Tears the connection down when a started close does not complete in time (RFC 6455 §7.1.1). */
  private closeClock: CloseClock | undefined;
  /** Keepalive pings and the idle timeout, when asked for. */
  private readonly keepalive: Keepalive | undefined;
  private readonly topics: TopicsLike | undefined;

  constructor(role: Role, carrier: Carrier, negotiated: Negotiated = {}, options: ConnectionOptions = {}) {
    super();
    const reports = new WebSocketConnection.Reports(this);
    this.role = role;
    this.carrier = carrier;
    this.transport = carrier.transport;
    this.protocol = negotiated.protocol ?? '';
    this.extensions = negotiated.extensions ?? '';
    this.path = negotiated.path ?? '';
    this.headers = negotiated.headers ?? {};
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.topics = options.topics;
    // The close the protocol owes (an answer, or a failure's) is sent once its
    // event is handled, behind the messages before it and the sends they caused.
    this.engine = new Protocol({ ...options, role, perMessageDeflate: negotiated.deflate !== undefined, answerClose: false });
    if (negotiated.deflate !== undefined) this.deflate = new PerMessageDeflate(negotiated.deflate, role, options.compression);
    this.inbound = new Inbound(reports);
    this.sender = new Sender(role, this.engine, carrier, this.deflate, this.highWaterMark, options.maxBufferedAmount ?? DEFAULT_MAX_SEND_BUFFER, reports);
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.keepalive = Keepalive.of(options, reports);
    carrier.attach(reports);
  }

  /**
   * What the carrier, the sender and the inbound pipeline report goes here: one small object per connection rather than a closure
   * per event (idle memory).
   */
  private static readonly Reports = class implements CarrierEvents, SenderOwner, InboundOwner, KeepaliveActions {
    constructor(private readonly connection: WebSocketConnection) {}

    data(chunk: Buffer): void {
      this.connection.keepalive?.heard();
      this.connection.engine.receiveData(chunk);
      this.connection.dispatch();
    }

    end(): void {
      this.connection.engine.receiveEof();
      this.connection.dispatch();
    }

    drain(): void {
      this.connection.sender.carrierDrained();
    }

    close(error?: Error): void {
      this.connection.closed(error);
    }

    assertOpen(): void {
      const { state } = this.connection;
      if (state !== ReadyState.OPEN) throw new UsageError('INVALID_STATE', `cannot send: the connection is ${['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'][state]}`);
    }

    active(): void {
      this.connection.keepalive?.active();
    }

    sendBufferDrained(): void {
      this.connection.emit('drain');
    }

    sendBufferFull(error: SendBufferFullError): void {
      const connection = this.connection;
      connection.fail(error);
      connection.sender.enqueue(() => connection.engine.close(CloseCode.POLICY_VIOLATION, 'send buffer full'));
    }

    outputEnded(): void {
      this.connection.closeClock?.linger(() => this.connection.carrier.abort());
    }

    compressionFailed(error: Error): void {
      this.connection.abortWith(error);
    }

    get aborted(): boolean {
      return this.connection.aborted;
    }

    get open(): boolean {
      return this.connection.state === ReadyState.OPEN;
    }

    handle(event: ControlEvent): void {
      this.connection.handle(event);
    }

    emitMessage(message: Message): boolean {
      return this.connection.emit('message', message.data, message.binary);
    }

    inflate(data: Buffer): Promise<Buffer> {
      return this.connection.deflate!.decompress(data, this.connection.engine.maxMessageSize);
    }

    get highWaterMark(): number {
      return this.connection.highWaterMark;
    }

    inflationFailed(error: ProtocolError): void {
      this.connection.failWith(error);
    }

    watch(holding: boolean): void {
      if (holding) this.connection.on('newListener', WebSocketConnection.releaseOnMessageListener);
      else this.connection.off('newListener', WebSocketConnection.releaseOnMessageListener);
    }

    iterationStopped(): void {
      this.connection.close(CloseCode.NORMAL);
    }

    pause(): void {
      this.connection.carrier.pause();
    }

    resume(): void {
      this.connection.carrier.resume();
    }

    flush(): void {
      this.connection.sender.flush();
    }

    ping(): void {
      if (this.connection.state === ReadyState.OPEN) this.connection.ping();
    }

    idle(): void {
      this.connection.close(CloseCode.GOING_AWAY, 'idle timeout');
    }

    expired(error: TimeoutError): void {
      this.connection.abortWith(error);
    }
  };

  get readyState(): ReadyStateValue {
    return this.state;
  }

  /** Bytes queued to send (waiting for compression, or in the carrier) but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.carrier.bufferedAmount + this.sender.queuedBytes;
  }

  /** How the connection ended, once the close event has fired. */
  get closeDetails(): CloseDetails | undefined {
    return this.closeDetailsValue;
  }

  /**
   * Sends a message. Returns false from the high-water mark on: wait for 'drain' (or `await drained()`); past
   * `maxBufferedAmount` the connection closes with 1008. With permessage-deflate, messages of at least the threshold
   * are compressed (unless `compress: false`), in order. A PreparedMessage is framed (and compressed) once for all.
   */
  send(data: SendData | PreparedMessage, options?: SendOptions): boolean {
    return this.sender.send(data, options);
  }

  /** Joins a topic: the server's `publish` to it reaches this connection until it unsubscribes or closes. */
  subscribe(topic: string): boolean {
    return topicsGiven(this.topics).subscribe(this, topic);
  }

  unsubscribe(topic: string): boolean {
    return topicsGiven(this.topics).unsubscribe(this, topic);
  }

  /** The topics this connection is subscribed to. */
  get subscriptions(): string[] {
    return this.topics?.subscriptions(this) ?? [];
  }

  /**
   * Starts a message sent in fragments (RFC 6455 §5.4): each `write` sends one frame, `end` the final one; no other
   * message meanwhile. With permessage-deflate the whole message is compressed unless `compress: false`.
   */
  sendFragments(options?: SendOptions): MessageWriter {
    return this.sender.sendFragments(options);
  }

  /** Resolves once the send buffer is below the high-water mark (at once if it is), or the connection closed. */
  drained(): Promise<void> {
    if (this.sender.sendResult() || this.state === ReadyState.CLOSED) return Promise.resolve();
    return firstEvent(this, 'drain', 'close');
  }

  /** Calls back once everything sent so far has been handed to the network; never if the connection ends first. */
  whenFlushed(callback: () => void): void {
    this.sender.whenFlushed(callback);
  }

  /** Messages received and sent so far, and their payload bytes (uncompressed). */
  get messageCounts(): MessageCounts {
    return { messagesIn: this.inbound.messages, bytesIn: this.inbound.payloadBytes, messagesOut: this.sender.messages, bytesOut: this.sender.payloadBytes };
  }

  ping(data?: SendData): void {
    this.sender.ping(data);
  }

  pong(data?: SendData): void {
    this.sender.pong(data);
  }

  /**
   * Starts the closing handshake (RFC 6455 §7.1.2), after everything sent
   * before. Without a code the close frame has no body. Does nothing once a
   * close was started or the connection is closed. Throws UsageError for a
   * code or reason that may not be sent.
   */
  close(code?: number, reason?: string): void {
    encodeClosePayload(code, reason); // checks the arguments in every state
    if (this.state === ReadyState.CLOSED || this.aborted || this.closeClock !== undefined) return;
    this.state = ReadyState.CLOSING;
    this.startCloseTimer();
    this.sender.enqueue(() => this.engine.close(code, reason));
    // The peer's close comes behind whatever it sent before: read on to it (RFC 6455 §7.1.1), held messages or not.
    this.inbound.readOn();
  }

  /**
   * Tears the connection down at once, without a closing handshake (close
   * code 1006). Nothing more is delivered; the close event follows.
   */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.aborted = true;
    this.state = ReadyState.CLOSING;
    this.sender.stop();
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
    return this.inbound.iterate(this.closeDetailsValue);
  }

  /** Aborts the carrier with `error`, which the close details will carry. */
  private abortWith(error: Error): void {
    this.failure ??= error;
    this.terminate();
  }

  /** Hands what the protocol made of the input to the inbound pipeline, then sends what that caused. */
  private dispatch(): void {
    for (const event of this.engine.eventsReceived()) {
      if (this.aborted || this.state === ReadyState.CLOSED) break;
      if (event.type === 'message') this.keepalive?.active();
      this.inbound.push(event);
    }
    this.sender.flush();
  }

  private handle(event: ControlEvent): void {
    switch (event.type) {
      case 'ping':
        this.emit('ping', event.data);
        break;
      case 'pong':
        this.emit('pong', event.data);
        break;
      case 'close':
        this.state = ReadyState.CLOSING;
        this.startCloseTimer();
        this.sender.afterSends(() => this.engine.close());
        break;
      case 'error': {
        const code = event.error.closeCode;
        this.fail(event.error);
        this.sender.afterSends(() => this.engine.fail(code));
        break;
      }
    }
  }

  /** A failure found by the connection rather than the parser: fail as the protocol would (§7.1.7). */
  private failWith(error: ProtocolError): void {
    this.engine.fail(error.closeCode);
    this.fail(error);
    this.sender.flush();
  }

  /** A 'newListener' listener shared by all connections: a 'message' listener releases held messages. */
  private static readonly releaseOnMessageListener = function (this: WebSocketConnection, event: string | symbol): void {
    if (event === 'message') this.inbound.releaseSoon();
  };

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.state === ReadyState.OPEN) this.state = ReadyState.CLOSING;
    this.startCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private startCloseTimer(): void {
    const ms = this.closeTimeout;
    this.closeClock ??= new CloseClock(ms, () => this.abortWith(new TimeoutError('CLOSE_TIMEOUT', `the connection did not close within ${ms} ms`)));
  }

  private closed(error: Error | undefined): void {
    if (this.state === ReadyState.CLOSED) return;
    // Messages that arrived before the end are delivered before the close event.
    if (!this.aborted && this.inbound.holdClose(error)) return;
    this.state = ReadyState.CLOSED;
    this.closeClock?.stop();
    this.keepalive?.stop();
    this.sender.stop();
    this.deflate?.close();
    this.inbound.stop();
    const details = closeDetailsOf(this.engine, this.failure, error);
    this.closeDetailsValue = details;
    this.inbound.finish(details);
    this.emit('close', details);
  }
}
