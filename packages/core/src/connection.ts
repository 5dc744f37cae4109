/**
 * WebSocketConnection: the one type applications see, whatever the transport.
 * It drives the sans-I/O Protocol over a Carrier: bytes from the carrier go
 * into the protocol, the protocol's events come out as events (or through
 * async iteration), and calls become bytes for the carrier.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { Carrier, CarrierEvents, Transport } from './carrier.js';
import { encodeClosePayload } from './close.js';
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  ReadyState,
  TimeoutError,
  toBuffer,
  type CloseDetails,
  type ConnectionEvents,
  type ConnectionOptions,
  type Negotiated,
  type ReadyStateValue,
  type SendData,
  type SendOptions,
} from './connection-types.js';
import { PerMessageDeflate } from './deflate.js';
import { CloseCode, ProtocolError, UsageError } from './errors.js';
import { MAX_CONTROL_PAYLOAD } from './frame.js';
import { Keepalive } from './keepalive.js';
import type { MessageEvent } from './message.js';
import { MessageQueue, type Message } from './message-queue.js';
import { MessageWriter, type FragmentData } from './message-writer.js';
import { Outbound } from './outbound.js';
import { PreparedMessage } from './prepared-message.js';
import { Protocol, type ProtocolEvent, type Role } from './protocol.js';
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
  private readonly maxMessageSize: number;
  private state: ReadyStateValue = ReadyState.OPEN;
  /** The carrier took the last write without complaint (or drained since). */
  private carrierWritable = true;
  /** `send` returned false: 'drain' is owed. */
  private needDrain = false;
  private carrierEnded = false;
  /** terminate() was called: deliver nothing more. */
  private aborted = false;
  /** A message in fragments is being sent: no other message may start. */
  private fragmenting = false;
  /** Messages that arrived before anyone consumed messages. */
  private held: ProtocolEvent[] | undefined;
  private heldBytes = 0;
  private pausedForHeld = false;
  private releasing = false;
  /** permessage-deflate, when negotiated; with it, sends go through `outbound` in order. */
  private readonly deflate: PerMessageDeflate | undefined;
  private readonly outbound: Outbound | undefined;
  /** Events waiting behind a compressed message that is being inflated. */
  private inbound: ProtocolEvent[] | undefined;
  private inboundBytes = 0;
  private pausedForInbound = false;
  /** The carrier closed while messages that had arrived were still inflating: the close event waits for them. */
  private closedBehindInbound: { error: Error | undefined } | undefined;
  private failure: Error | undefined;
  private closeDetailsValue: CloseDetails | undefined;
  private queue: MessageQueue | undefined;
  private closeTimer: NodeJS.Timeout | undefined;
  private keepalive: Keepalive | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly topics: Topics | undefined;

  constructor(role: Role, carrier: Carrier, negotiated: Negotiated = {}, options: ConnectionOptions = {}) {
    super();
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
    this.engine = new Protocol({ ...options, role, perMessageDeflate: negotiated.deflate !== undefined });
    this.maxMessageSize = this.engine.maxMessageSize;
    // The protocol reads a whole chunk before the events are dispatched: the
    // close it owes (an answer, or a failure's) waits until its event is
    // handled, so that replies to the messages before it go out first.
    this.engine.holdCloseAnswer(true);
    if (negotiated.deflate !== undefined) {
      this.deflate = new PerMessageDeflate(negotiated.deflate, role, options.compression);
      this.outbound = new Outbound({
        flush: () => this.flush(),
        progressed: () => this.maybeDrain(),
        failed: (error) => this.abortWith(error),
      });
    }
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
    carrier.attach(new WebSocketConnection.Reports(this));
  }

  /** What the carrier reports goes here: one small object per connection rather than a closure per event (idle memory). */
  private static readonly Reports = class implements CarrierEvents {
    constructor(private readonly connection: WebSocketConnection) {}

    data(chunk: Buffer): void {
      this.connection.receive(chunk);
    }

    end(): void {
      this.connection.receiveEnd();
    }

    drain(): void {
      this.connection.carrierWritable = true;
      this.connection.maybeDrain();
    }

    close(error?: Error): void {
      this.connection.closed(error);
    }
  };

  get readyState(): ReadyStateValue {
    return this.state;
  }

  /** Bytes queued to send (waiting for compression, or in the carrier) but not yet handed to the network. */
  get bufferedAmount(): number {
    return this.carrier.bufferedAmount + (this.outbound?.queuedBytes ?? 0);
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
    this.assertOpen();
    if (this.fragmenting) throw new UsageError('INVALID_STATE', 'a fragmented message is in progress: end it first');
    if (data instanceof PreparedMessage) return this.sendPrepared(data, options?.compress);
    const binary = options?.binary ?? typeof data !== 'string';
    this.idleTimer?.refresh();
    const deflate = this.deflate;
    if (deflate === undefined) {
      this.sendPlain(data, binary);
      this.flush();
      return this.sendResult();
    }
    const bytes = options?.compress === false ? undefined : typeof data === 'string' ? Buffer.from(data) : toBuffer(data);
    if (bytes !== undefined && bytes.length >= deflate.threshold) {
      this.outbound!.enqueue(bytes.length, async () => {
        const compressed = await deflate.compress(bytes, true);
        if (!this.engineCanSend()) return;
        if (binary) this.engine.sendBinary(compressed, true, true);
        else this.engine.sendText(compressed, true, true);
      });
    } else {
      this.enqueue(0, () => this.sendPlain(bytes ?? data, binary));
    }
    return this.sendResult();
  }

  private sendPrepared(message: PreparedMessage, compress: boolean | undefined): boolean {
    const { data, binary } = message;
    const deflate = this.deflate;
    // A client masks every frame with a fresh key (RFC 6455 §5.3); a connection keeping its compression context compresses for itself.
    const shared = deflate?.statelessCompression;
    if (this.role === 'client' || (deflate !== undefined && compress !== false && data.length >= deflate.threshold && shared === undefined)) {
      return this.send(data, { binary, compress: compress !== false });
    }
    this.idleTimer?.refresh();
    if (deflate === undefined || compress === false || data.length < deflate.threshold) {
      this.enqueue(0, () => this.engine.sendFrames(message.frames));
      return this.sendResult();
    }
    this.outbound!.enqueue(data.length, async () => {
      const compressed = await message.compressedAs(shared!, (bytes) => deflate.compress(bytes, true));
      if (!this.engineCanSend()) return;
      if (binary) this.engine.sendBinary(compressed, true, true);
      else this.engine.sendText(compressed, true, true);
    });
    return this.sendResult();
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
    this.assertOpen();
    if (this.fragmenting) throw new UsageError('INVALID_STATE', 'a fragmented message is in progress: end it first');
    this.fragmenting = true;
    const deflate = options?.compress === false ? undefined : this.deflate;
    return new MessageWriter(options?.binary ?? true, (data, binary, first, fin) => {
      this.assertOpen();
      this.idleTimer?.refresh();
      if (fin) this.fragmenting = false;
      if (deflate === undefined) {
        this.enqueue(0, () => this.sendFragment(data, binary, first, fin, false));
      } else {
        const bytes = typeof data === 'string' ? Buffer.from(data) : toBuffer(data);
        this.outbound!.enqueue(bytes.length, async () => {
          const compressed = await deflate.compress(bytes, fin);
          if (this.engineCanSend()) this.sendFragment(compressed, binary, first, fin, true);
        });
      }
      return this.sendResult();
    });
  }

  /** Resolves once the send buffer is below the high-water mark (at once if it is), or the connection closed. */
  drained(): Promise<void> {
    if (this.sendResult() || this.state === ReadyState.CLOSED) return Promise.resolve();
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
    const payload = this.controlPayload(data);
    this.enqueue(0, () => this.engine.ping(payload));
  }

  pong(data?: SendData): void {
    const payload = this.controlPayload(data);
    this.enqueue(0, () => this.engine.pong(payload));
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
    this.enqueue(0, () => this.engine.close(code, reason));
    // The peer's close comes behind whatever it sent before: read on to it (RFC 6455 §7.1.1), held messages or not.
    if (this.pausedForHeld) {
      this.pausedForHeld = false;
      this.carrier.resume();
    }
  }

  /**
   * Tears the connection down at once, without a closing handshake (close
   * code 1006). Nothing more is delivered; the close event follows.
   */
  terminate(): void {
    if (this.state === ReadyState.CLOSED) return;
    this.aborted = true;
    this.state = ReadyState.CLOSING;
    this.outbound?.stop();
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
    this.releaseHeldNow();
    if (this.closeDetailsValue !== undefined) queue.finish(this.closeDetailsValue);
    return queue;
  }

  /**
   * Runs a send step now, or in order behind compression when
   * permessage-deflate is on. A step that waited is dropped when a close
   * frame went out meanwhile (a failure's, or the answer to the peer's):
   * nothing may follow it (RFC 6455 §5.5.1).
   */
  private enqueue(size: number, step: () => void): void {
    if (this.outbound !== undefined) {
      return this.outbound.enqueue(size, () => {
        if (this.engineCanSend()) step();
      });
    }
    step();
    this.flush();
  }

  private sendPlain(data: SendData, binary: boolean): void {
    if (typeof data === 'string') {
      if (binary) this.engine.sendBinary(Buffer.from(data));
      else this.engine.sendText(data);
    } else if (binary) {
      this.engine.sendBinary(toBuffer(data));
    } else {
      this.engine.sendText(toBuffer(data));
    }
  }

  private sendFragment(data: FragmentData, binary: boolean, first: boolean, fin: boolean, compressed: boolean): void {
    if (!first) this.engine.sendContinuation(data, fin);
    else if (binary) this.engine.sendBinary(data, fin, compressed);
    else this.engine.sendText(data, fin, compressed);
  }

  /** Checks a ping or pong payload now, even if the frame goes out later. */
  private controlPayload(data: SendData | undefined): string | Buffer | undefined {
    this.assertOpen();
    const payload = data === undefined || typeof data === 'string' ? data : toBuffer(data);
    const length = payload === undefined ? 0 : typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (length > MAX_CONTROL_PAYLOAD) {
      throw new UsageError('INVALID_ARGUMENT', `control frame payload of ${length} bytes, at most ${MAX_CONTROL_PAYLOAD} allowed`);
    }
    return payload;
  }

  /** The protocol still takes data: no close frame went out and the output has not ended. */
  private engineCanSend(): boolean {
    return this.engine.closeSent === undefined && !this.engine.outputEnded;
  }

  /** What `send` returns: false, and 'drain' owed, at or above the high-water mark. */
  private sendResult(): boolean {
    if (this.carrierWritable && (this.outbound?.queuedBytes ?? 0) < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  private maybeDrain(): void {
    if (this.needDrain && this.carrierWritable && (this.outbound?.queuedBytes ?? 0) < this.highWaterMark) {
      this.needDrain = false;
      this.emit('drain');
    }
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

  private dispatch(events: readonly ProtocolEvent[]): void {
    for (const event of events) {
      if (this.aborted || this.state === ReadyState.CLOSED) return;
      if (this.inbound !== undefined) {
        this.waitInbound(event);
      } else if (event.type === 'message' && event.compressed) {
        this.inbound = [];
        this.inboundBytes = 0;
        this.waitInbound(event);
        this.inflateNext();
      } else {
        this.handle(event);
      }
    }
  }

  private handle(event: ProtocolEvent): void {
    if (event.type === 'message') this.idleTimer?.refresh();
    // Behind held messages everything waits, so that nothing overtakes them.
    if (this.held !== undefined) return this.hold(event);
    switch (event.type) {
      case 'message':
        if (!this.deliver(event)) this.hold(event);
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
        // Sends still being compressed go out before the answer to the close.
        this.releaseCloseAnswer();
        break;
      case 'error':
        this.fail(event.error);
        // The failure's close goes out behind sends still being compressed.
        this.releaseCloseAnswer();
        break;
    }
  }

  /** Queues an event behind the message being inflated; reading pauses when too much waits. */
  private waitInbound(event: ProtocolEvent): void {
    this.inbound!.push(event);
    if (event.type === 'message') this.inboundBytes += event.data.length;
    if (!this.pausedForInbound && this.inboundBytes >= this.highWaterMark) {
      this.pausedForInbound = true;
      this.carrier.pause();
    }
  }

  /** Inflates the compressed message at the head of the inbound queue, then delivers what follows it. */
  private inflateNext(): void {
    const message = this.inbound![0] as MessageEvent;
    this.deflate!.decompress(message.data, this.maxMessageSize).then(
      (data) => {
        if (this.aborted || this.inbound === undefined) return;
        // Text is checked once inflated (RFC 7692 §6: RSV1 messages carry compressed UTF-8).
        if (!message.binary && !isUtf8(data)) return this.failWith(new ProtocolError('INVALID_UTF8', 'inflated text message is not valid UTF-8'));
        this.inbound.shift();
        this.inboundBytes -= message.data.length;
        this.handle({ type: 'message', binary: message.binary, data, compressed: false });
        while (this.inbound.length !== 0) {
          if (this.aborted) return;
          const next = this.inbound[0]!;
          if (next.type === 'message' && next.compressed) return this.inflateNext();
          this.inbound.shift();
          if (next.type === 'message') this.inboundBytes -= next.data.length;
          this.handle(next);
        }
        this.inbound = undefined;
        if (this.pausedForInbound) {
          this.pausedForInbound = false;
          this.carrier.resume();
        }
        this.flush();
        this.closeIfCarrierGone();
      },
      (error: ProtocolError) => {
        if (!this.aborted && this.inbound !== undefined) this.failWith(error);
      },
    );
  }

  /** Lets the close answer out, behind whatever sends are still queued. */
  private releaseCloseAnswer(): void {
    if (this.outbound !== undefined && !this.outbound.idle) this.outbound.enqueue(0, () => this.engine.holdCloseAnswer(false));
    else this.engine.holdCloseAnswer(false);
  }

  /** A failure found by the connection rather than the parser: fail as the protocol would (§7.1.7). */
  private failWith(error: ProtocolError): void {
    this.inbound = undefined;
    this.engine.holdCloseAnswer(false);
    this.engine.fail(error.closeCode);
    this.fail(error);
    this.flush();
    this.closeIfCarrierGone();
  }

  /** The carrier closed while messages were inflating: now that they are out, close. */
  private closeIfCarrierGone(): void {
    const gone = this.closedBehindInbound;
    if (gone === undefined) return;
    this.closedBehindInbound = undefined;
    this.closed(gone.error);
  }

  /** Hands a message to the iterator and the listeners; false when there is neither (emit says whether it had listeners). */
  private deliver(message: Message): boolean {
    this.queue?.push(message);
    return this.emit('message', message.data, message.binary) || this.queue !== undefined;
  }

  /**
   * Nobody consumes messages yet (the application attaches its listener
   * after `await connect(…)`, say): keep them, and every event behind them,
   * with backpressure, until a 'message' listener or an iterator arrives. A
   * close or a failure behind them waits one turn of the event loop at most
   * (the messages stay held for a later consumer), so that a connection
   * nobody reads from still closes.
   */
  private hold(event: ProtocolEvent): void {
    if (this.held === undefined) {
      this.held = [];
      this.heldBytes = 0;
      this.on('newListener', WebSocketConnection.releaseOnMessageListener);
    }
    this.held.push(event);
    if (event.type === 'message') {
      this.heldBytes += event.data.length;
      if (!this.pausedForHeld && this.heldBytes >= this.highWaterMark && this.state === ReadyState.OPEN) {
        this.pausedForHeld = true;
        this.carrier.pause();
      }
    } else if (event.type === 'close' || event.type === 'error') {
      setImmediate(() => this.releaseHeldControl());
    }
  }

  /** Lets the held events other than messages through, in order; the messages stay held. */
  private releaseHeldControl(): void {
    const held = this.held;
    if (held === undefined) return;
    // Handled as if nothing were held, with the messages set aside.
    this.held = undefined;
    for (const event of held) if (event.type !== 'message') this.handle(event);
    this.held = held.filter((event) => event.type === 'message');
    this.flush();
  }

  /** A 'newListener' listener shared by all connections: a 'message' listener releases held messages. */
  private static readonly releaseOnMessageListener = function (this: WebSocketConnection, event: string | symbol): void {
    if (event === 'message') this.releaseHeld();
  };

  /** Hands the held events over once the new listener is in place (after `on` returns). */
  private releaseHeld(): void {
    if (this.held === undefined || this.releasing) return;
    this.releasing = true;
    queueMicrotask(() => {
      this.releasing = false;
      this.releaseHeldNow();
    });
  }

  private releaseHeldNow(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    this.off('newListener', WebSocketConnection.releaseOnMessageListener);
    for (const event of held) {
      if (this.aborted) break;
      if (event.type === 'message') this.deliver(event);
      else this.handle(event);
    }
    if (this.pausedForHeld) {
      this.pausedForHeld = false;
      this.carrier.resume();
    }
    this.flush();
  }

  private fail(error: ProtocolError | TimeoutError): void {
    this.failure ??= error;
    if (this.state === ReadyState.OPEN) this.state = ReadyState.CLOSING;
    this.startCloseTimer();
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** Writes what the protocol produced; ends the carrier when the protocol says so. */
  private flush(): void {
    const chunks = this.engine.dataToSend();
    if (chunks.length !== 0 && !this.carrierEnded && !this.carrier.write(chunks)) this.carrierWritable = false;
    const closeSent = this.engine.closeSent !== undefined;
    // Never end while the answer to the peer's close is still owed.
    const ended = (this.engine.outputEnded && !this.engine.closeAnswerPending) || (closeSent && this.carrier.endsAfterCloseFrame);
    if (!this.carrierEnded && ended) {
      this.carrierEnded = true;
      this.carrier.end();
    }
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
    if (this.inbound !== undefined && !this.aborted) {
      this.closedBehindInbound = { error };
      return;
    }
    this.state = ReadyState.CLOSED;
    clearTimeout(this.closeTimer);
    clearTimeout(this.idleTimer);
    this.keepalive?.stop();
    this.outbound?.stop();
    this.deflate?.close();
    this.inbound = undefined;
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
