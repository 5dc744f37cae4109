/**
 * The carrier of a WebSocket over HTTP/3: one request stream opened by
 * extended CONNECT (RFC 9220 §3). The WebSocket bytes travel in DATA frames
 * (RFC 9220 §3, RFC 9114 §7.2.1); each side ends its half with the QUIC FIN
 * after its close frame; only an abort resets the stream (RESET_STREAM and
 * STOP_SENDING with H3_REQUEST_CANCELLED, RFC 9220 §3 as RFC 8441 §5 maps
 * RST_STREAM(CANCEL)).
 *
 * Backpressure is QUIC flow control (RFC 9000 §4): what quiche cannot take
 * for want of the peer's credit waits in the stream's queue, which is the
 * carrier's `bufferedAmount`; while paused this side reads nothing, so
 * quiche grants the peer no new credit.
 */
import { Buffer } from 'node:buffer';
import { TransportResetError, type Carrier, type CarrierEvents } from '@wstack/core';
import { H3ErrorCode, type Http3Error } from './h3/errors.js';
import { encodeDataHeader, type RequestStreamDecoder, type RequestStreamEvent } from './h3/request-stream.js';
import type { QuicStream, StreamHandler } from './quic/stream.js';
import { StreamProtocolError } from './errors.js';

/** Below this size a DATA frame's header and payload go to quiche as one copied chunk: fewer calls into quiche. */
const COALESCE_LIMIT = 16 * 1024;

/** What the carrier asks of its QUIC connection. */
export interface CarrierHost {
  /** A connection error found on the stream (RFC 9114 §8): close the QUIC connection with its code. */
  connectionError(error: Http3Error): void;
  /** The carrier is done; forget it. */
  release(carrier: StreamCarrier): void;
}

export class StreamCarrier implements Carrier, StreamHandler {
  readonly transport = 'h3' as const;
  /** RFC 9220 §3 (RFC 8441 §5): each direction ends on its own with FIN, right after the close frame. */
  readonly endsAfterCloseFrame = true;
  private events: CarrierEvents | undefined;
  private readDone = false;
  private writeDone = false;
  private finished = false;
  private error: Error | undefined;

  constructor(
    private readonly stream: QuicStream,
    private readonly decoder: RequestStreamDecoder,
    /** Events read together with the head: delivered first. */
    private readonly early: RequestStreamEvent[],
    highWaterMark: number,
    private readonly host: CarrierHost,
  ) {
    stream.highWaterMark = highWaterMark;
  }

  get streamId(): number {
    return this.stream.id;
  }

  get bufferedAmount(): number {
    return this.stream.bufferedAmount;
  }

  attach(events: CarrierEvents): void {
    this.events = events;
    this.stream.handler = this;
    queueMicrotask(() => {
      this.deliver(this.early);
      this.stream.resume();
    });
  }

  write(chunks: readonly Buffer[]): boolean {
    if (this.writeDone || this.finished) return false;
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    if (size === 0) return this.stream.bufferedAmount < this.stream.highWaterMark;
    const header = encodeDataHeader(size);
    if (size < COALESCE_LIMIT) return this.stream.write(Buffer.concat([header, ...chunks], header.length + size));
    let below = this.stream.write(header);
    for (const chunk of chunks) if (chunk.length !== 0) below = this.stream.write(chunk);
    return below;
  }

  /** Once quiche has taken every DATA frame written so far. */
  whenFlushed(callback: () => void): void {
    if (!this.finished) this.stream.whenFlushed(callback);
  }

  end(): void {
    if (this.writeDone || this.finished) return;
    this.writeDone = true;
    // The stream keeps order: the FIN follows every DATA frame written before, in the same push to quiche.
    this.stream.end();
    this.finishIfDone();
  }

  abort(error?: Error): void {
    if (this.finished) return;
    this.error ??= error;
    this.stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    this.finish();
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /** The QUIC connection under the stream ended: both directions are gone. */
  fail(error: Error): void {
    if (this.finished) return;
    this.error ??= error;
    this.stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    this.finish();
  }

  // StreamHandler: what the QUIC stream reports.

  data(chunk: Buffer, fin: boolean): void {
    if (!this.finished) this.deliver(this.decoder.receive(chunk, fin));
  }

  reset(code: number): void {
    // RESET_STREAM from the peer: an abort (RFC 9220 §3).
    this.fail(new TransportResetError('h3', code, `the peer reset the HTTP/3 stream with code 0x${code.toString(16)}`));
  }

  stopped(code: number): void {
    this.fail(new TransportResetError('h3', code, `the peer stopped the HTTP/3 stream with code 0x${code.toString(16)}`));
  }

  drain(): void {
    if (!this.finished) this.events?.drain();
  }

  closed(error: Error): void {
    this.fail(error);
  }

  /**
   * Delivers the decoded events of one read. Like a socket's chunk, a batch
   * that started is delivered whole even if the connection pauses on the
   * way; the stream reads no more until `resume`.
   */
  private deliver(events: readonly RequestStreamEvent[]): void {
    for (let i = 0; i < events.length && !this.finished; i++) {
      const event = events[i]!;
      switch (event.type) {
        case 'data':
          if (event.data.length !== 0) this.events?.data(event.data);
          break;
        case 'end':
          this.readDone = true;
          this.events?.end();
          this.finishIfDone();
          break;
        case 'error':
          this.protocolError(event.error);
          break;
        default:
          // RFC 9114 §4.4: a CONNECT stream carries only DATA after its head; the decoder refuses the rest.
          break;
      }
    }
  }

  private protocolError(error: Http3Error): void {
    this.error ??= new StreamProtocolError(error);
    if (error.isConnectionError) {
      this.host.connectionError(error);
      this.fail(this.error);
      return;
    }
    this.stream.reset(error.wireCode);
    this.finish();
  }

  private finishIfDone(): void {
    if (this.readDone && this.writeDone) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.host.release(this);
    this.events?.close(this.error);
  }
}
