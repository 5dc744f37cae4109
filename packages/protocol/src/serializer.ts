/**
 * Frame serializer (RFC 6455 §5.2). Never writes into a buffer the caller
 * owns: a payload to mask is masked into a fresh buffer.
 *
 * Output is a list of chunks for a vectored write. A small frame is one
 * merged chunk (one write, one allocation); an unmasked payload above
 * MERGE_THRESHOLD travels as its own chunk after the header, uncopied.
 */
import { Buffer } from 'node:buffer';
import { headerSize } from './frame.js';
import { WORDS_FROM, xorMask } from './mask.js';
import type { MaskSource } from './mask-source.js';

/**
 * Up to this payload size, copying the payload behind the header costs less
 * than handing the socket a second buffer. Above it the copy (and the
 * allocation that comes with it) costs more: `pnpm bench`, section 1,
 * serialize at 1 KiB.
 */
export const MERGE_THRESHOLD = 512;

export interface FrameOptions {
  fin: boolean;
  /** RSV bits as the three low bits (RSV1 = 4), for extensions. */
  rsv?: number;
  /** Present for client frames (§5.1), absent for server frames. */
  mask?: MaskSource | undefined;
}

/** Writes the header; returns where the payload (or the masking key) goes. */
function writeHeader(target: Buffer, opcode: number, length: number, options: FrameOptions): number {
  target[0] = (options.fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | opcode;
  const maskBit = options.mask ? 0x80 : 0;
  let at: number;
  if (length < 126) {
    target[1] = maskBit | length;
    at = 2;
  } else if (length < 0x10000) {
    target[1] = maskBit | 126;
    target.writeUInt16BE(length, 2);
    at = 4;
  } else {
    target[1] = maskBit | 127;
    // Lengths here are below 2^53; split without 32-bit shifts.
    target.writeUInt32BE(Math.floor(length / 0x100000000), 2);
    target.writeUInt32BE(length >>> 0, 6);
    at = 10;
  }
  if (options.mask) {
    options.mask(target, at);
    at += 4;
  }
  return at;
}

/** Frames a binary payload. */
export function encodeFrame(opcode: number, payload: Uint8Array, options: FrameOptions): Buffer[] {
  const length = payload.length;
  const size = headerSize(length, options.mask !== undefined);
  if (!options.mask && length > MERGE_THRESHOLD) {
    const header = Buffer.allocUnsafe(size);
    writeHeader(header, opcode, length, options);
    return [header, Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, length)];
  }
  const frame = Buffer.allocUnsafe(size + length);
  const at = writeHeader(frame, opcode, length, options);
  if (!options.mask) {
    frame.set(payload, at);
  } else if (length < WORDS_FROM) {
    // Small payloads in place, against the key just written: views of the frame would cost more than the loop.
    for (let i = 0; i < length; i++) frame[at + i] = payload[i]! ^ frame[at - 4 + (i & 3)]!;
  } else {
    xorMask(payload, frame.subarray(at - 4, at), 0, frame.subarray(at));
  }
  return [frame];
}

/** Frames a string as UTF-8, encoding it straight into the frame buffer. */
export function encodeTextFrame(opcode: number, text: string, options: FrameOptions): Buffer[] {
  const length = Buffer.byteLength(text, 'utf8');
  const frame = Buffer.allocUnsafe(headerSize(length, options.mask !== undefined) + length);
  const at = writeHeader(frame, opcode, length, options);
  frame.write(text, at, 'utf8');
  if (options.mask) {
    const body = frame.subarray(at);
    xorMask(body, frame.subarray(at - 4, at), 0, body);
  }
  return [frame];
}
