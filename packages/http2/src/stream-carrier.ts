/**
 * The carrier of a WebSocket over HTTP/2: one stream opened by extended
 * CONNECT (RFC 8441 §5). DATA frames carry the WebSocket bytes; each side
 * ends its half with END_STREAM after its close frame, and only an abort
 * sends RST_STREAM(CANCEL) (RFC 8441 §5: an orderly close is END_STREAM;
 * browsers read a reset as a failed WebSocket).
 *
 * Backpressure is HTTP/2 flow control (RFC 9113 §5.2): a write completes
 * once node:http2 has put it on the socket, which needs window from the
 * peer. A chunk goes to the stream only while less than `maxBytesInFlight`
 * is in flight, and whole unless it is larger than that (then in pieces of
 * that size): under twice `maxBytesInFlight` is handed over at a time, and
 * the rest waits here, so that one busy stream cannot fill the session's
 * memory (node:http2 refuses new streams once `maxSessionMemory` is used up).
 * A frame is not cut at the limit: a 64 KiB message's header and payload
 * leave in one go, where a cut would hold its last bytes back until the
 * write before them completed (an event-loop turn more per message).
 */
import { constants, type Http2Session, type Http2Stream } from 'node:http2';
import { addAbortSignal } from 'node:stream';
import { FlushWaiters, GoneAwayError, TransportResetError, type Carrier, type CarrierEvents } from '@wstack/core';
import { peersGoneAway } from './session-websockets.js';
import { errorCodeName } from './errors.js';

export class StreamCarrier implements Carrier {
  readonly transport = 'h2' as const;
  /** RFC 8441 §5: each direction ends on its own with END_STREAM, right after the close frame. */
  readonly endsAfterCloseFrame = true;
  /** Bytes waiting here, not yet handed to the stream. */
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  /** Bytes write() ever took: less `bufferedAmount`, what the stream has put on the socket. */
  private accepted = 0;
  private readonly flushWaiters = new FlushWaiters();
  private needDrain = false;
  private endRequested = false;
  private ended = false;
  private abortedHere = false;
  private error: Error | undefined;
  private events: CarrierEvents | undefined;

  constructor(
    private readonly stream: Http2Stream,
    private readonly highWaterMark: number,
    private readonly maxBytesInFlight: number,
  ) {}

  get bufferedAmount(): number {
    return this.queuedBytes + this.inFlight;
  }

  /** Bytes handed to the stream whose write has not completed (node's Writable counts them until it calls back). */
  private get inFlight(): number {
    return this.stream.writableLength;
  }

  attach(events: CarrierEvents): void {
    this.events = events;
    const stream = this.stream;
    // node:http2 drops a stream's session once the stream is gone: asked now, for the close.
    const session = stream.session;
    stream.on('error', (error: Error) => {
      // After abort() the stream reports its own AbortError; the close carries abort()'s reason instead.
      if (!this.abortedHere) this.error ??= error;
    });
    stream.on('close', () => {
      this.queue.length = 0;
      this.queuedBytes = 0;
      this.flushWaiters.clear();
      events.close(this.closeError(session));
    });
    stream.on('end', () => events.end());
    stream.on('data', (chunk: Buffer) => events.data(chunk));
    if (stream.destroyed) queueMicrotask(() => events.close(this.closeError(session)));
  }

  write(chunks: readonly Buffer[]): boolean {
    if (this.endRequested || this.stream.destroyed) return false;
    for (const chunk of chunks) {
      if (chunk.length === 0) continue;
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
      this.accepted += chunk.length;
    }
    this.pump();
    if (this.bufferedAmount < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /** Calls back once the stream's writes of every byte accepted so far have completed (node:http2 put them on the socket). */
  whenFlushed(callback: () => void): void {
    if (!this.stream.destroyed) this.flushWaiters.add(this.accepted, this.accepted - this.bufferedAmount, callback);
  }

  end(): void {
    if (this.endRequested) return;
    this.endRequested = true;
    this.endIfFlushed();
  }

  abort(error?: Error): void {
    this.error ??= error;
    if (this.stream.destroyed || this.abortedHere) return;
    this.abortedHere = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.flushWaiters.clear();
    // A torn-down WebSocket is RST_STREAM(CANCEL) (RFC 9113 §8.7), and only
    // that: node:http2 destroys a stream aborted through its signal with
    // CANCEL, while stream.close(CANCEL) would first end the writable side
    // (an empty DATA frame with END_STREAM), as if the close were orderly.
    const controller = new AbortController();
    addAbortSignal(controller.signal, this.stream);
    controller.abort();
  }

  pause(): void {
    // A paused stream stops granting window to the peer (node:http2 credits
    // a stream as it is read), so the peer's sending stalls on flow control.
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  /**
   * Hands queued chunks to the stream while fewer than `maxBytesInFlight`
   * bytes are in flight. Several chunks (a frame's header and payload) are
   * corked into one write; a single one is not, which spares the stream's
   * buffering and flushing of a corked write.
   */
  private pump(): void {
    const { queue, stream, maxBytesInFlight } = this;
    if (queue.length === 0 || this.inFlight >= maxBytesInFlight) return;
    const corked = queue.length > 1;
    if (corked) stream.cork();
    while (queue.length !== 0 && this.inFlight < maxBytesInFlight) {
      let piece = queue[0]!;
      if (piece.length > maxBytesInFlight) {
        queue[0] = piece.subarray(maxBytesInFlight);
        piece = piece.subarray(0, maxBytesInFlight);
      } else {
        queue.shift();
      }
      this.queuedBytes -= piece.length;
      stream.write(piece, this.written);
    }
    if (corked) stream.uncork();
  }

  /** Every write's callback: one function per carrier rather than a closure per write. */
  private readonly written = (error: Error | null | undefined): void => {
    if (error || this.stream.destroyed) return;
    this.pump();
    this.endIfFlushed();
    this.flushWaiters.settle(this.accepted - this.bufferedAmount);
    if (this.needDrain && this.bufferedAmount < this.highWaterMark) {
      this.needDrain = false;
      this.events?.drain();
    }
  };

  /** END_STREAM goes out once every queued byte has been handed to the stream (the stream keeps their order). */
  private endIfFlushed(): void {
    if (!this.endRequested || this.ended || this.queue.length !== 0 || this.stream.destroyed) return;
    this.ended = true;
    this.stream.end();
  }

  /**
   * Why the stream closed: a reset by the peer (whatever node:http2 made of
   * it), another error the stream reported (its session failed), or nothing
   * after END_STREAM both ways. After the peer's GOAWAY, the session's end
   * is its going away (the connection reports 1001 if no close frame came).
   */
  private closeError(session: Http2Session | undefined): Error | undefined {
    if (this.abortedHere) return this.error;
    const error = this.streamError();
    // Only the end of the whole session after the peer's GOAWAY is its going away: a stream reset on a live session, or a
    // stream that ended cleanly (END_STREAM from the peer, no error), ended as it says.
    if (session === undefined || !peersGoneAway.has(session) || !session.destroyed || (error === undefined && this.stream.readableEnded)) return error;
    return new GoneAwayError('h2', `the HTTP/2 session ended after the peer's GOAWAY${error ? `: ${error.message}` : ''}`, { cause: error });
  }

  private streamError(): Error | undefined {
    const code = this.stream.rstCode;
    const reported = this.error as (Error & { code?: string }) | undefined;
    if (code !== undefined && code !== constants.NGHTTP2_NO_ERROR && (reported === undefined || reported.code === 'ERR_HTTP2_STREAM_ERROR')) {
      return new TransportResetError('h2', code, `the HTTP/2 stream was reset with ${errorCodeName(code)} (${code})`, reported === undefined ? undefined : { cause: reported });
    }
    return reported;
  }
}
