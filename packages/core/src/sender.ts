/**
 * The connection's outbound side: sends in the order they were made (behind
 * permessage-deflate's asynchronous compression when it was negotiated), the
 * protocol's output written to the carrier, and the send buffer's
 * backpressure ('drain' once below the high-water mark).
 */
import { Buffer } from 'node:buffer';
import { MAX_CONTROL_PAYLOAD, UsageError, type Protocol, type Role } from '@wstack/protocol';
import type { Carrier } from './carrier.js';
import type { PerMessageDeflate } from './deflate.js';
import { SendBufferFullError } from './errors.js';
import { MessageWriter, type FragmentData } from './message-writer.js';
import { Outbound } from './outbound.js';
import { PreparedMessage } from './prepared-message.js';
import { byteLengthOf, toBuffer, type SendData, type SendOptions } from './send-data.js';

/** What the sender asks of its connection. */
export interface SenderOwner {
  /** Throws unless messages may be sent (the connection is OPEN). */
  assertOpen(): void;
  /** A message went out: the idle timer starts again. */
  active(): void;
  /** The send buffer went below the high-water mark after a send returned false. */
  sendBufferDrained(): void;
  /**
   * More than `maxBufferedAmount` waited when a send was made (the send is
   * dropped). The owner closes with 1008 behind what is queued; its close
   * timer ends the wait when the peer never reads on.
   */
  sendBufferFull(error: SendBufferFullError): void;
  /**
   * The protocol has nothing more to send: the closing handshake is done
   * (for a server; a client once the server ended) or the connection
   * failed. The transport should end now; the owner cuts a peer that keeps
   * it open after a short linger.
   */
  outputEnded(): void;
  /** Compression failed: the connection cannot go on. */
  compressionFailed(error: Error): void;
}

export class Sender {
  /** The carrier took the last write without complaint (or drained since). */
  private carrierWritable = true;
  /** `send` returned false: 'drain' is owed. */
  private needDrain = false;
  private carrierEnded = false;
  /** The protocol's output ended (the closing handshake is done, or failed): the owner was told. */
  private outputDone = false;
  /** A message in fragments is being sent: no other message may start. */
  private fragmenting = false;
  /** With permessage-deflate, sends go through this queue in order. */
  private readonly outbound: Outbound | undefined;
  /** Messages sent (not dropped by the cap), and their payload bytes before compression. */
  messages = 0;
  payloadBytes = 0;

  constructor(
    private readonly role: Role,
    private readonly engine: Protocol,
    private readonly carrier: Carrier,
    private readonly deflate: PerMessageDeflate | undefined,
    private readonly highWaterMark: number,
    /** Past it the owner closes (SenderOwner.sendBufferFull). */
    private readonly maxBufferedAmount: number,
    private readonly owner: SenderOwner,
  ) {
    if (deflate !== undefined) {
      this.outbound = new Outbound({
        flush: () => this.flush(),
        progressed: () => this.maybeDrain(),
        failed: (error) => owner.compressionFailed(error),
      });
    }
  }

  /** Bytes waiting for compression; the carrier's own buffer is added by the connection. */
  get queuedBytes(): number {
    return this.outbound?.queuedBytes ?? 0;
  }

  send(data: SendData | PreparedMessage, options?: SendOptions): boolean {
    this.owner.assertOpen();
    if (this.fragmenting) throw new UsageError('INVALID_STATE', 'a fragmented message is in progress: end it first');
    if (this.full()) return false;
    if (data instanceof PreparedMessage) return this.sendPrepared(data, options?.compress);
    this.messages++;
    this.payloadBytes += byteLengthOf(data);
    const binary = options?.binary ?? typeof data !== 'string';
    this.owner.active();
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
        if (this.engineCanSend()) this.sendFrame(compressed, binary, true, true, true);
      });
    } else {
      this.enqueue(() => this.sendPlain(bytes ?? data, binary));
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
    this.messages++;
    this.payloadBytes += data.length;
    this.owner.active();
    if (deflate === undefined || compress === false || data.length < deflate.threshold) {
      this.enqueue(() => this.engine.sendFrames(message.frames));
      return this.sendResult();
    }
    this.outbound!.enqueue(data.length, async () => {
      const compressed = await message.compressedAs(shared!, (bytes) => deflate.compress(bytes, true));
      if (this.engineCanSend()) this.sendFrame(compressed, binary, true, true, true);
    });
    return this.sendResult();
  }

  /** A message in fragments (RFC 6455 §5.4); with permessage-deflate compressed whole unless `compress: false`. */
  sendFragments(options?: SendOptions): MessageWriter {
    this.owner.assertOpen();
    if (this.fragmenting) throw new UsageError('INVALID_STATE', 'a fragmented message is in progress: end it first');
    this.fragmenting = true;
    const deflate = options?.compress === false ? undefined : this.deflate;
    return new MessageWriter(options?.binary ?? true, (data, binary, first, fin) => {
      this.owner.assertOpen();
      if (this.full()) return false;
      this.owner.active();
      this.payloadBytes += byteLengthOf(data);
      if (fin) {
        this.fragmenting = false;
        this.messages++;
      }
      if (deflate === undefined) {
        this.enqueue(() => this.sendFrame(data, binary, first, fin, false));
      } else {
        const bytes = typeof data === 'string' ? Buffer.from(data) : toBuffer(data);
        this.outbound!.enqueue(bytes.length, async () => {
          const compressed = await deflate.compress(bytes, fin);
          if (this.engineCanSend()) this.sendFrame(compressed, binary, first, fin, true);
        });
      }
      return this.sendResult();
    });
  }

  ping(data?: SendData): void {
    const payload = this.controlPayload(data);
    this.enqueue(() => this.engine.ping(payload));
  }

  pong(data?: SendData): void {
    const payload = this.controlPayload(data);
    this.enqueue(() => this.engine.pong(payload));
  }

  /**
   * Runs a send step now, or in order behind compression when
   * permessage-deflate is on. A step that waited is dropped when a close
   * frame went out meanwhile (a failure's, or the answer to the peer's):
   * nothing may follow it (RFC 6455 §5.5.1).
   */
  enqueue(step: () => void): void {
    if (this.outbound !== undefined) {
      return this.outbound.enqueue(0, () => {
        if (this.engineCanSend()) step();
      });
    }
    step();
    this.flush();
  }

  /** Runs a close step behind whatever sends are still being compressed (nothing sent before it is lost). */
  afterSends(step: () => void): void {
    if (this.outbound !== undefined && !this.outbound.idle) return this.outbound.enqueue(0, step);
    step();
    this.flush();
  }

  /**
   * Calls back once everything sent so far has been handed to the network:
   * behind the sends still being compressed, then out of the carrier's
   * buffer (Carrier.whenFlushed; a carrier that cannot tell counts as
   * flushed once it took the bytes). Never if the connection ends first.
   */
  whenFlushed(callback: () => void): void {
    const carrier = this.carrier;
    this.afterSends(() => (carrier.whenFlushed !== undefined ? carrier.whenFlushed(callback) : process.nextTick(callback)));
  }

  /** Writes what the protocol produced; ends the carrier when the protocol says so. */
  flush(): void {
    const chunks = this.engine.dataToSend();
    if (chunks.length !== 0 && !this.carrierEnded && !this.carrier.write(chunks)) this.carrierWritable = false;
    const ended = this.engine.outputEnded || (this.engine.closeSent !== undefined && this.carrier.endsAfterCloseFrame);
    if (!this.carrierEnded && ended) {
      this.carrierEnded = true;
      this.carrier.end();
    }
    if (!this.outputDone && this.engine.outputEnded) {
      this.outputDone = true;
      this.owner.outputEnded();
    }
  }

  /** The carrier drained. */
  carrierDrained(): void {
    this.carrierWritable = true;
    this.maybeDrain();
  }

  /** Below the high-water mark now (else 'drain' is owed). */
  sendResult(): boolean {
    if (this.carrierWritable && this.queuedBytes < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /**
   * More than maxBufferedAmount waits already: the owner closes (1008) and the send that found it so is dropped. What
   * waits is so bounded by the cap and one message, however large the messages an application sends.
   */
  private full(): boolean {
    const buffered = this.carrier.bufferedAmount + this.queuedBytes;
    if (buffered <= this.maxBufferedAmount) return false;
    this.owner.sendBufferFull(new SendBufferFullError(buffered, this.maxBufferedAmount));
    return true;
  }

  /** Nothing more goes out: sends still being compressed are dropped. */
  stop(): void {
    this.outbound?.stop();
  }

  private maybeDrain(): void {
    if (this.needDrain && this.carrierWritable && this.queuedBytes < this.highWaterMark) {
      this.needDrain = false;
      this.owner.sendBufferDrained();
    }
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

  /** One frame of a message: its first (text or binary, RSV1 when compressed) or a continuation. */
  private sendFrame(data: FragmentData, binary: boolean, first: boolean, fin: boolean, compressed: boolean): void {
    if (!first) this.engine.sendContinuation(data, fin);
    else if (binary) this.engine.sendBinary(data, fin, compressed);
    else this.engine.sendText(data, fin, compressed);
  }

  /** Checks a ping or pong payload now, even if the frame goes out later. */
  private controlPayload(data: SendData | undefined): string | Buffer | undefined {
    this.owner.assertOpen();
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
}
