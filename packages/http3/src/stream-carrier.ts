/**
 * The carrier of a WebSocket over HTTP/3: one request stream opened by
 * extended CONNECT (RFC 9220 §3). The WebSocket bytes travel in DATA frames
 * (RFC 9220 §3, RFC 9114 §7.2.1); each side ends its half with the QUIC FIN
 * after its close frame; only an abort resets the stream (RESET_STREAM and
 * STOP_SENDING with H3_REQUEST_CANCELLED, RFC 9220 §3 as RFC 8441 §5 maps
 * RST_STREAM(CANCEL)).
 *
 * Backpressure is QUIC flow control (RFC 9000 §4): a write completes once
 * quiche took all of it, which needs credit from the peer; while paused this
 * side reads nothing, so quiche grants the peer no new credit.
 */
import { Buffer } from 'node:buffer';
import type { QUICStream } from '@matrixai/quic';
import type { Carrier, CarrierEvents } from '@wstack/core';
import type { Http3Error } from './errors.js';
import { encodeDataHeader, type RequestStreamDecoder, type RequestStreamEvent } from './request-stream.js';
import { cancelStream, StreamProtocolError, type ReadResult, type StreamReader, type StreamWriter } from './stream-io.js';

/** Below this size a DATA frame's header and payload go to quiche as one copied chunk: fewer calls into the library. */
const COALESCE_LIMIT = 16 * 1024;

const EMPTY = new Uint8Array(0);

/** What the carrier asks of its QUIC connection. */
export interface CarrierHost {
  /** A connection error found on the stream (RFC 9114 §8): close the QUIC connection with its code. */
  connectionError(error: Http3Error): void;
  /** The carrier is done; forget it. */
  release(carrier: StreamCarrier): void;
}

export class StreamCarrier implements Carrier {
  readonly transport = 'h3' as const;
  /** RFC 9220 §3 (RFC 8441 §5): each direction ends on its own with FIN, right after the close frame. */
  readonly endsAfterCloseFrame = true;
  private events: CarrierEvents | undefined;
  /** Bytes handed to quiche's writer whose write has not completed. */
  private pending = 0;
  private needDrain = false;
  private paused = false;
  private wake: (() => void) | undefined;
  /** Decoded events not yet delivered (held while paused). */
  private backlog: RequestStreamEvent[] = [];
  private backlogAt = 0;
  private delivering = false;
  private endRequested = false;
  private readDone = false;
  private writeDone = false;
  private finished = false;
  private error: Error | undefined;

  constructor(
    private readonly stream: QUICStream,
    private readonly reader: StreamReader,
    private readonly writer: StreamWriter,
    private readonly decoder: RequestStreamDecoder,
    /** Events read together with the head: delivered first. */
    private readonly early: RequestStreamEvent[],
    private readonly highWaterMark: number,
    private readonly host: CarrierHost,
  ) {}

  get streamId(): number {
    return this.stream.streamId;
  }

  get bufferedAmount(): number {
    return this.pending;
  }

  attach(events: CarrierEvents): void {
    this.events = events;
    this.backlog = [...this.early];
    queueMicrotask(() => {
      if (this.deliver()) void this.readLoop();
    });
  }

  write(chunks: readonly Buffer[]): boolean {
    if (this.endRequested || this.finished) return false;
    let size = 0;
    for (const chunk of chunks) size += chunk.length;
    if (size !== 0) {
      const header = encodeDataHeader(size);
      if (size < COALESCE_LIMIT) {
        this.send(Buffer.concat([header, ...chunks], header.length + size));
      } else {
        this.send(header);
        for (const chunk of chunks) if (chunk.length !== 0) this.send(chunk);
      }
    }
    if (this.pending < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  end(): void {
    if (this.endRequested || this.finished) return;
    this.endRequested = true;
    // The writer keeps order: the FIN follows every DATA frame written before.
    this.writer.close().then(
      () => {
        this.writeDone = true;
        this.finishIfDone();
      },
      (error: unknown) => this.fail(asError(error)),
    );
  }

  abort(error?: Error): void {
    if (this.finished) return;
    this.error ??= error;
    cancelStream(this.stream);
    this.finish();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.deliver();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The QUIC connection under the stream ended: both directions are gone. */
  fail(error: Error): void {
    if (this.finished) return;
    this.error ??= error;
    cancelStream(this.stream);
    this.finish();
  }

  private send(chunk: Buffer): void {
    this.pending += chunk.length;
    this.writer.write(chunk).then(
      () => {
        this.pending -= chunk.length;
        if (this.needDrain && this.pending < this.highWaterMark && !this.finished) {
          this.needDrain = false;
          this.events?.drain();
        }
      },
      (error: unknown) => this.fail(asError(error)),
    );
  }

  private async readLoop(): Promise<void> {
    while (!this.readDone && !this.finished) {
      if (this.paused || this.backlogAt < this.backlog.length) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      let result: ReadResult;
      try {
        result = await this.reader.read();
      } catch (error) {
        // RESET_STREAM from the peer (or our own cancel): an abort (RFC 9220 §3).
        this.fail(asError(error));
        return;
      }
      if (this.finished) return;
      this.backlog = this.decoder.receive(result.value ?? EMPTY, result.done);
      this.backlogAt = 0;
      if (!this.deliver()) return;
    }
  }

  /**
   * Delivers the decoded events of one read. Like a socket's chunk, a batch
   * that started is delivered whole even if the connection pauses on the
   * way; a read that completes while paused waits in the backlog until
   * `resume`, so nothing new reaches a paused connection. False once
   * reading is over.
   */
  private deliver(): boolean {
    if (this.delivering || (this.paused && this.backlogAt === 0)) return !this.readDone && !this.finished;
    this.delivering = true;
    try {
      while (this.backlogAt < this.backlog.length && !this.finished) {
        const event = this.backlog[this.backlogAt++]!;
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
    } finally {
      this.delivering = false;
    }
    return !this.readDone && !this.finished;
  }

  private protocolError(error: Http3Error): void {
    if (error.isConnectionError) {
      this.error ??= new StreamProtocolError(error);
      this.host.connectionError(error);
      this.fail(this.error);
      return;
    }
    this.error ??= new StreamProtocolError(error);
    cancelStream(this.stream, error);
    this.finish();
  }

  private finishIfDone(): void {
    if (this.readDone && this.writeDone) this.finish();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    this.host.release(this);
    this.events?.close(this.error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
