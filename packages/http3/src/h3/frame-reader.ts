/**
 * An incremental reader of the HTTP/3 frames on one stream (RFC 9114 §7.1).
 *
 * Bytes are pushed in chunks of any size; `next()` then hands out one event
 * at a time, or null when it needs more bytes. Pull-style, so that whoever
 * drives it sees events and errors in stream order and can stop at the first
 * error without losing the events before it.
 *
 * - Every frame first yields a 'header' event (type, length), before any of
 *   its payload is consumed, so the owner can refuse a frame by its type.
 * - DATA payloads are handed out as they arrive, as views of the pushed
 *   chunks (no copy, and never the whole frame held at once).
 * - The other frames of §7.2 (HEADERS, SETTINGS, ...) are buffered whole, up
 *   to `maxPayloadSize`; beyond it the frame is refused with
 *   H3_EXCESSIVE_LOAD (§10.5: a limit on committed memory), before any of its
 *   payload is stored. A frame that fits in one pushed chunk is not copied.
 * - Unknown and reserved frame types (§7.2.8, §9) are skipped unread.
 * - `end()` marks the end of the stream (FIN): a stream that ends inside a
 *   frame is H3_FRAME_ERROR (§7.1); otherwise an 'end' event follows the
 *   last frame.
 *
 * Pushed chunks must not be modified afterwards: events may be views of them.
 */
import { Buffer } from 'node:buffer';
import { Http3Error } from './errors.js';
import type { H3ErrorScope } from './errors.js';
import { FrameType, isBufferedFrameType } from './frames.js';
import { readVarint } from './varint.js';

export type FrameEvent =
  /** A frame begins. `type` and `length` above 2^53-1 read as 2^53 (see varint.ts). */
  | { kind: 'header'; type: number; length: number }
  /** A piece of a DATA frame's payload (possibly none, for an empty frame). */
  | { kind: 'data'; chunk: Buffer }
  /** The whole payload of a buffered frame. */
  | { kind: 'frame'; type: number; payload: Buffer }
  /** The stream ended cleanly between frames. */
  | { kind: 'end' };

export interface FrameReaderOptions {
  /** The largest payload buffered for a non-DATA frame. */
  maxPayloadSize: number;
  /** Whether an oversize frame resets the stream or closes the connection (default: connection). */
  oversizeScope?: H3ErrorScope;
}

type Mode = 'header' | 'data' | 'buffer' | 'skip' | 'ended';

/** The longest frame header: two 8-byte varints. */
const MAX_HEADER_SIZE = 16;

export class FrameReader {
  private readonly maxPayloadSize: number;
  private readonly oversizeScope: H3ErrorScope;
  private readonly chunks: Buffer[] = [];
  /** Offset of the first unread byte in chunks[0]. */
  private head = 0;
  /** Unread bytes across all chunks. */
  private queued = 0;
  private fin = false;
  private mode: Mode = 'header';
  private frameType = 0;
  /** Payload bytes of the current frame not yet consumed. */
  private remaining = 0;
  private failure: Http3Error | undefined;

  constructor(options: FrameReaderOptions) {
    this.maxPayloadSize = options.maxPayloadSize;
    this.oversizeScope = options.oversizeScope ?? 'connection';
  }

  /** Queues bytes of the stream. */
  push(chunk: Uint8Array): void {
    if (this.fin) throw new Error('FrameReader: push() after end()');
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.queued += chunk.length;
  }

  /** Marks the end of the stream (FIN). */
  end(): void {
    this.fin = true;
  }

  /** The next event, or null when more bytes (or the end) are needed. Throws Http3Error. */
  next(): FrameEvent | null {
    if (this.failure) throw this.failure;
    try {
      return this.step();
    } catch (error) {
      this.failure = error as Http3Error;
      throw error;
    }
  }

  private step(): FrameEvent | null {
    for (;;) {
      switch (this.mode) {
        case 'header':
          return this.readHeader();
        case 'data': {
          if (this.remaining === 0) {
            this.mode = 'header';
            continue;
          }
          if (this.queued === 0) return this.needMore();
          const n = Math.min(this.remaining, this.chunks[0]!.length - this.head);
          this.remaining -= n;
          return { kind: 'data', chunk: this.take(n) };
        }
        case 'buffer': {
          if (this.remaining > this.maxPayloadSize) {
            throw new Http3Error(
              'H3_EXCESSIVE_LOAD',
              `frame of type 0x${this.frameType.toString(16)} has a ${this.remaining}-byte payload, over our limit of ${this.maxPayloadSize}`,
              this.oversizeScope,
            );
          }
          if (this.queued < this.remaining) return this.needMore();
          const payload = this.take(this.remaining);
          this.mode = 'header';
          return { kind: 'frame', type: this.frameType, payload };
        }
        case 'skip': {
          const n = Math.min(this.remaining, this.queued);
          this.discard(n);
          this.remaining -= n;
          if (this.remaining > 0) return this.needMore();
          this.mode = 'header';
          continue;
        }
        case 'ended':
          return null;
      }
    }
  }

  private readHeader(): FrameEvent | null {
    if (this.queued === 0 && this.fin) {
      this.mode = 'ended';
      return { kind: 'end' };
    }
    const bytes = this.peek(MAX_HEADER_SIZE);
    const type = readVarint(bytes, 0);
    const length = type && readVarint(bytes, type.size);
    if (!type || !length) return this.needMore();
    this.discard(type.size + length.size);
    this.frameType = type.value;
    this.remaining = length.value;
    this.mode = type.value === FrameType.DATA ? 'data' : isBufferedFrameType(type.value) ? 'buffer' : 'skip';
    return { kind: 'header', type: type.value, length: length.value };
  }

  /** Null while the stream may still bring bytes; H3_FRAME_ERROR once it cannot (§7.1). */
  private needMore(): null {
    if (this.fin) throw new Http3Error('H3_FRAME_ERROR', 'stream ended inside a frame (RFC 9114 §7.1)');
    return null;
  }

  /** Up to `n` unread bytes without consuming them (a view when they lie in one chunk). */
  private peek(n: number): Buffer {
    const first = this.chunks[0];
    if (first === undefined) return Buffer.alloc(0);
    if (first.length - this.head >= n || this.chunks.length === 1) return first.subarray(this.head, this.head + n);
    const out = Buffer.allocUnsafe(Math.min(n, this.queued));
    let at = 0;
    let offset = this.head;
    for (const chunk of this.chunks) {
      at += chunk.copy(out, at, offset);
      offset = 0;
      if (at === out.length) break;
    }
    return out;
  }

  /** Consumes `n` bytes (n <= queued) and returns them: a view when they lie in one chunk. */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const view = first.subarray(this.head, this.head + n);
      this.discard(n);
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(n - at, chunk.length - this.head);
      chunk.copy(out, at, this.head, this.head + count);
      at += count;
      this.discard(count);
    }
    return out;
  }

  /** Drops `n` bytes (n <= queued). */
  private discard(n: number): void {
    this.queued -= n;
    while (n > 0) {
      const chunk = this.chunks[0]!;
      const available = chunk.length - this.head;
      if (n < available) {
        this.head += n;
        return;
      }
      n -= available;
      this.chunks.shift();
      this.head = 0;
    }
  }
}
