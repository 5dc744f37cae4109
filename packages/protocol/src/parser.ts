/**
 * Incremental frame parser (RFC 6455 §5.2). Bytes arrive in chunks of any
 * size; frames come out as pieces of unmasked payload:
 *
 * - a frame that lies within one chunk comes out as one piece, a view of that
 *   chunk (no copy);
 * - a data frame spread over chunks comes out as a piece per chunk, as soon as
 *   its bytes arrive, so that a consumer can check limits and UTF-8 early;
 * - a control frame (at most 125 bytes) always comes out whole.
 *
 * The parser owns the chunks it is given: masked payloads are unmasked in
 * place. Each header is checked against the rules of §5 and against the size
 * limit before any payload is read or memory allocated for it.
 */
import { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';
import { isControl, MAX_CONTROL_PAYLOAD, type FrameHeader } from './frame.js';
import { WORDS_FROM, xorMask } from './mask.js';

export interface FrameParserOptions {
  /** Servers require masked frames, clients refuse them (§5.1). */
  expectMasked: boolean;
  /** Largest payload accepted in one frame. */
  maxFrameSize: number;
  /** permessage-deflate is in use: RSV1 may mark a message's first frame (RFC 7692 §6). */
  allowRsv1: boolean;
}

export interface FramePiece {
  /** The same object for every piece of one frame. */
  header: FrameHeader;
  /** Unmasked payload bytes. */
  data: Buffer;
  /** This piece starts the frame's payload. */
  first: boolean;
  /** This piece ends the frame. */
  last: boolean;
}

const EMPTY = Buffer.alloc(0);
/**
 * Shared by every parser, so that an idle connection holds no buffer of its
 * own: each is filled and read within one synchronous call.
 */
const keyBytes = Buffer.alloc(4);
const scratch = Buffer.alloc(14);

export class FrameParser {
  private readonly expectMasked: boolean;
  private readonly maxFrameSize: number;
  private readonly allowRsv1: boolean;
  private readonly chunks: Buffer[] = [];
  /** Read position in chunks[0]. */
  private offset = 0;
  /** Bytes held in chunks, from offset on. */
  private buffered = 0;
  /** The frame whose payload is being read, or null between frames. */
  private header: FrameHeader | null = null;
  private remaining = 0;
  private started = false;
  /** The masking key of the frame being read, as a big-endian 32-bit number. */
  private key = 0;
  /** Position in the masking key of the next payload byte (§5.3: j = i MOD 4). */
  private phase = 0;

  constructor(options: FrameParserOptions) {
    this.expectMasked = options.expectMasked;
    this.maxFrameSize = options.maxFrameSize;
    this.allowRsv1 = options.allowRsv1;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    this.buffered += chunk.length;
  }

  /** The next piece, or null until more bytes arrive. Throws ProtocolError. */
  next(): FramePiece | null {
    if (this.header === null && !this.readHeader()) return null;
    const header = this.header!;
    if (isControl(header.opcode)) {
      // Whole or nothing: a control frame is small and handled at once.
      if (this.buffered < this.remaining) return null;
      return this.piece(header, this.take(this.remaining));
    }
    if (this.remaining === 0) return this.piece(header, EMPTY);
    if (this.buffered === 0) return null;
    const available = this.chunks[0]!.length - this.offset;
    return this.piece(header, this.take(Math.min(available, this.remaining)));
  }

  private piece(header: FrameHeader, data: Buffer): FramePiece {
    if (header.masked && data.length !== 0) {
      const key = this.key;
      const phase = this.phase;
      if (data.length < WORDS_FROM) {
        // Small payloads straight from the key as a number (byte j of the key is bits 31-8j…24-8j); a Uint8Array store keeps the low 8 bits.
        for (let i = 0; i < data.length; i++) data[i]! ^= key >>> ((3 - ((phase + i) & 3)) << 3);
      } else {
        keyBytes[0] = key >>> 24;
        keyBytes[1] = key >>> 16;
        keyBytes[2] = key >>> 8;
        keyBytes[3] = key;
        xorMask(data, keyBytes, phase, data);
      }
      this.phase = (this.phase + data.length) & 3;
    }
    this.remaining -= data.length;
    const first = !this.started;
    this.started = true;
    const last = this.remaining === 0;
    if (last) this.header = null;
    return { header, data, first, last };
  }

  /** Parses and checks the next header; false when its bytes are not all here. */
  private readHeader(): boolean {
    if (this.buffered < 2) return false;
    // The first chunk holds at least one unread byte (skip drops used-up chunks).
    const head = this.chunks[0]!;
    const b0 = head[this.offset]!;
    const b1 = this.offset + 1 < head.length ? head[this.offset + 1]! : this.byteAt(1);
    const fin = (b0 & 0x80) !== 0;
    const rsv = (b0 >> 4) & 0x7;
    const opcode = b0 & 0xf;
    const masked = (b1 & 0x80) !== 0;
    const length7 = b1 & 0x7f;
    // Everything that the first two bytes can prove wrong fails here, before
    // the rest of the header arrives.
    if (rsv !== 0) {
      if (rsv !== 4 || !this.allowRsv1) {
        throw new ProtocolError('RSV_NOT_NEGOTIATED', `RSV bits ${rsv.toString(2).padStart(3, '0')} set without a negotiated extension`);
      }
      if (isControl(opcode) || opcode === 0) throw new ProtocolError('RSV1_MISPLACED', `RSV1 set on a ${opcode === 0 ? 'continuation' : 'control'} frame`);
    }
    if ((opcode > 0x2 && opcode < 0x8) || opcode > 0xa) {
      throw new ProtocolError('RESERVED_OPCODE', `reserved opcode 0x${opcode.toString(16)}`);
    }
    if (isControl(opcode)) {
      if (!fin) throw new ProtocolError('CONTROL_FRAGMENTED', 'fragmented control frame');
      if (length7 > MAX_CONTROL_PAYLOAD) {
        throw new ProtocolError('CONTROL_TOO_LONG', 'control frame payload over 125 bytes');
      }
    }
    if (masked !== this.expectMasked) {
      throw masked
        ? new ProtocolError('MASK_FORBIDDEN', 'masked frame from a server')
        : new ProtocolError('MASK_REQUIRED', 'unmasked frame from a client');
    }
    // The length is checked as soon as its bytes are here, before the masking key.
    const lengthSize = length7 === 126 ? 2 : length7 === 127 ? 8 : 0;
    if (this.buffered < 2 + lengthSize) return false;
    const size = 2 + lengthSize + (masked ? 4 : 0);
    // The header's bytes side by side: in the first chunk, or gathered (at most 14).
    let bytes = head;
    let at = this.offset;
    const wanted = Math.min(size, this.buffered);
    if (head.length - at < wanted) {
      for (let i = 0; i < wanted; i++) scratch[i] = this.byteAt(i);
      bytes = scratch;
      at = 0;
    }
    let length = length7;
    if (lengthSize === 2) {
      length = bytes.readUInt16BE(at + 2);
    } else if (lengthSize === 8) {
      // Two 32-bit halves, combined by arithmetic: `<<` would wrap at 2^31.
      const high = bytes.readUInt32BE(at + 2);
      if (high >= 0x80000000) {
        throw new ProtocolError('INVALID_LENGTH', 'most significant bit of a 64-bit length set');
      }
      if (high > 0x1fffff) {
        throw new ProtocolError('FRAME_TOO_LARGE', 'frame length above 2^53-1');
      }
      length = high * 0x100000000 + bytes.readUInt32BE(at + 6);
    }
    if (length > this.maxFrameSize) {
      throw new ProtocolError('FRAME_TOO_LARGE', `frame of ${length} bytes, limit ${this.maxFrameSize}`);
    }
    if (this.buffered < size) return false;
    if (masked) {
      this.key = bytes.readUInt32BE(at + size - 4);
      this.phase = 0;
    }
    this.skip(size);
    this.header = { fin, rsv, opcode, masked, length };
    this.remaining = length;
    this.started = false;
    return true;
  }

  /** A buffered byte by its index; the caller has checked that it is buffered. */
  private byteAt(index: number): number {
    let i = this.offset + index;
    let c = 0;
    while (i >= this.chunks[c]!.length) i -= this.chunks[c++]!.length;
    return this.chunks[c]![i]!;
  }

  /** Consumes `size` buffered bytes: a view when they lie in one chunk, else a copy. */
  private take(size: number): Buffer {
    if (size === 0) return EMPTY;
    const head = this.chunks[0]!;
    if (head.length - this.offset >= size) {
      const view = head.subarray(this.offset, this.offset + size);
      this.skip(size);
      return view;
    }
    const copy = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.chunks[0]!;
      const n = Math.min(chunk.length - this.offset, size - filled);
      chunk.copy(copy, filled, this.offset, this.offset + n);
      filled += n;
      this.skip(n);
    }
    return copy;
  }

  private skip(size: number): void {
    this.buffered -= size;
    this.offset += size;
    while (this.chunks.length !== 0 && this.offset >= this.chunks[0]!.length) {
      this.offset -= this.chunks[0]!.length;
      this.chunks.shift();
    }
  }
}
