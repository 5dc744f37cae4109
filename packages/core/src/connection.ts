/**
 * WebSocketConnection: the one type applications see, whatever the transport.
 * It drives the sans-I/O Protocol over a Carrier: bytes from the carrier go
 * into the protocol, the protocol's events come out as events (or through
 * async iteration), and calls become bytes for the carrier.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { CloseCode, encodeClosePayload, Protocol, ProtocolError, UsageError, type ProtocolEvent, type Role } from '@wstack/protocol';
import type { Carrier, CarrierEvents, Transport } from './carrier.js';
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  ReadyState,
  type CloseDetails,
  type ConnectionEvents,
  type ConnectionOptions,
  type Negotiated,
  type ReadyStateValue,
} from './connection-types.js';
import { PerMessageDeflate } from './deflate.js';
import { TimeoutError } from './errors.js';
import { Keepalive } from './keepalive.js';
import { MessageQueue, type Message } from './message-queue.js';
import type { MessageWriter } from './message-writer.js';
import type { PreparedMessage } from './prepared-message.js';
import { HeldEvents, type HeldOwner } from './held-events.js';
import { InflationQueue, type InflationOwner } from './inflation-queue.js';
import type { SendData, SendOptions } from './send-data.js';
import { Sender, type SenderOwner } from './sender.js';
import type { Topics } from './topics.js';

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
  private readonly closeTimeout: number;
  private state: ReadyStateValue = ReadyState.OPEN;
  /** terminate() was called: deliver nothing more. */
  private aborted = false;
  /** Messages that arrived before anyone consumed messages. */
  private readonly held: HeldEvents;
  /** permessage-deflate, when negotiated. */
  private readonly deflate: PerMessageDeflate | undefined;
  private readonly sender: Sender;
  /** With permessage-deflate: events waiting behind a compressed message that is being inflated. */
  private readonly inflation: InflationQueue | undefined;
  /** The carrier closed while messages that had arrived were still inflating: the close event waits for them. */
  private closedBehindInflation: { error: Error | undefined } | undefined;
  private failure: Error | undefined;
  private closeDetailsValue: CloseDetails | undefined;
  private queue: MessageQueue | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private keepalive: Keepalive | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly topics: Topics | undefined;

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
    this.closeTimeout = options.closeTimeout ?? DEFAULT_CLOSE_TIMEOUT;
    this.topics = options.topics;
    // The close the protocol owes (an answer, or a failure's) is sent once its
    // event is handled, behind the messages before it and the sends they caused.
    this.engine = new Protocol({ ...options, role, perMessageDeflate: negotiated.deflate !== undefined, answerClose: false });
    if (negotiated.deflate !== undefined) {
      this.deflate = new PerMessageDeflate(negotiated.deflate, role, options.compression);
      this.inflation = new InflationQueue(this.deflate, this.engine.maxMessageSize, this.highWaterMark, reports);
    }
    this.sender = new Sender(role, this.engine, carrier, this.deflate, this.highWaterMark, reports);
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
    this.held = new HeldEvents(this.highWaterMark, reports);
    carrier.attach(reports);
  }

  /**
   * What the carrier, the sender, the inflation queue and the held events
   * report goes here: one small object per connection rather than a closure
   * per event (idle memory).
   */
  private static readonly Reports = class implements CarrierEvents, SenderOwner, InflationOwner, HeldOwner {
    constructor(private readonly connection: WebSocketConnection) {}

    data(chunk: Buffer): void {
      this.connection.receive(chunk);
    }

    end(): void {
      this.connection.receiveEnd();
    }

    drain(): void {
      this.connection.sender.carrierDrained();
    }

    close(error?: Error): void {
      this.connection.closed(error);
    }

    assertOpen(): void {
      this.connection.assertOpen();
    }

    active(): void {
      this.connection.idleTimer?.refresh();
    }

    sendBufferDrained(): void {
      this.connection.emit('drain');
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

    handle(event: ProtocolEvent): void {
      this.connection.handle(event);
    }

    deliver(message: Message): void {
      this.connection.deliver(message);
    }

    inflationFailed(error: ProtocolError): void {
      this.connection.failWith(error);
    }

    settled(): void {
      this.connection.sender.flush();
      this.connection.closeIfCarrierGone();
    }

    watch(holding: boolean): void {
      if (holding) this.connection.on('newListener', WebSocketConnection.releaseOnMessageListener);
      else this.connection.off('newListener', WebSocketConnection.releaseOnMessageListener);
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
   * Sends a message. Returns false when the send buffer is at or above the
   * high-water mark: wait for 'drain' (or `await drained()`) before more.
   * With permessage-deflate, messages of at least the threshold are
   * compressed (unless `compress: false`); the order of sends is kept.
   * A PreparedMessage is framed (and where it can be, compressed) once for
   * all the connections it goes to.
   */
  send(data: SendData | PreparedMessage, options?: SendOptions): boolean {
    return this.sender.send(data, options);
  }

  /** Joins a topic: the server's `publish` to it reaches this connection until it unsubscribes or closes. */
  subscribe(topic: string): boolean {
    return this.topicsInUse().subscribe(this, topic);
  }

  unsubscribe(topic: string): boolean {
    return this.topicsInUse().unsubscribe(this, topic);
  }

  /** The topics this connection is subscribed to. */
  get subscriptions(): string[] {
    return this.topics?.subscriptions(this) ?? [];
  }

  private topicsInUse(): Topics {
    if (this.topics === undefined) throw new UsageError('INVALID_STATE', 'no topics on this connection: give the server a `topics: new Topics()` option (wstack\'s createServer does)');
    return this.topics;
  }

  /**
   * Starts a message sent in fragments (RFC 6455 §5.4): each `write` sends
   * one frame, `end` the final one. No other message may be sent meanwhile.
   * With permessage-deflate the whole message is compressed unless
   * `compress: false`.
   */
  sendFragments(options?: SendOptions): MessageWriter {
    return this.sender.sendFragments(options);
  }

  /** Resolves once the send buffer is below the high-water mark (at once if it is), or the connection closed. */
  drained(): Promise<void> {
    if (this.sender.sendResult() || this.state === ReadyState.CLOSED) return Promise.resolve();
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
    if (this.state === ReadyState.CLOSED || this.aborted || this.closeTimer !== undefined) return;
    this.state = ReadyState.CLOSING;
    this.startCloseTimer();
    this.sender.enqueue(() => this.engine.close(code, reason));
    // The peer's close comes behind whatever it sent before: read on to it (RFC 6455 §7.1.1), held messages or not.
    this.held.readOn();
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
    if (this.queue !== undefined) throw new UsageError('INVALID_STATE', 'the connection is already being iterated');
    const queue = new MessageQueue(this.highWaterMark, {
      pause: () => this.carrier.pause(),
      resume: () => this.carrier.resume(),
      stop: () => this.closeIfOpen(CloseCode.NORMAL),
    });
    this.queue = queue;
    // Held messages go first, before the end.
    this.held.release();
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
    this.sender.flush();
  }

  private receiveEnd(): void {
    this.engine.receiveEof();
    this.dispatch(this.engine.eventsReceived());
    this.sender.flush();
  }

  private dispatch(events: readonly ProtocolEvent[]): void {
    for (const event of events) {
      if (this.aborted || this.state === ReadyState.CLOSED) return;
      if (this.inflation !== undefined) this.inflation.push(event);
      else this.handle(event);
    }
  }

  private handle(event: ProtocolEvent): void {
    if (event.type === 'message') this.idleTimer?.refresh();
    // Behind held messages everything waits, so that nothing overtakes them.
    if (this.held.holding) return this.held.hold(event);
    switch (event.type) {
      case 'message':
        if (!this.deliver(event)) this.held.hold(event);
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
    this.closeIfCarrierGone();
  }

  /** The carrier closed while messages were inflating: now that they are out, close. */
  private closeIfCarrierGone(): void {
    const gone = this.closedBehindInflation;
    if (gone === undefined) return;
    this.closedBehindInflation = undefined;
    this.closed(gone.error);
  }

  /** Hands a message to the iterator and the listeners; false when there is neither (emit says whether it had listeners). */
  private deliver(message: Message): boolean {
    this.queue?.push(message);
    return this.emit('message', message.data, message.binary) || this.queue !== undefined;
  }

  /** A 'newListener' listener shared by all connections: a 'message' listener releases held messages. */
  private static readonly releaseOnMessageListener = function (this: WebSocketConnection, event: string | symbol): void {
    if (event === 'message') this.held.releaseSoon();
  };

  private fail(error: ProtocolError | TimeoutError): void {
    this.failure ??= error;
    if (this.state === ReadyState.OPEN) this.state = ReadyState.CLOSING;
    this.startCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
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
    // Messages that arrived before the end are delivered before the close event.
    if (this.inflation?.active && !this.aborted) {
      this.closedBehindInflation = { error };
      return;
    }
    this.state = ReadyState.CLOSED;
    clearTimeout(this.closeTimer);
    clearTimeout(this.idleTimer);
    this.keepalive?.stop();
    this.sender.stop();
    this.deflate?.close();
    this.inflation?.stop();
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
