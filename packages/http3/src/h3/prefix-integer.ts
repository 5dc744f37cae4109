/**
 * Prefixed integers (RFC 7541 §5.1, used unmodified by QPACK, RFC 9204
 * §4.1.1): the value sits in the low N bits of the first byte when it is
 * smaller than 2^N-1; otherwise those bits are all ones and the rest follows
 * seven bits at a time, least significant group first, the high bit of each
 * byte saying whether another follows.
 *
 * RFC 9204 §4.1.1 asks decoders to accept integers of up to 62 bits. We
 * decode exactly up to 2^53-1 (Number.MAX_SAFE_INTEGER) and refuse anything
 * larger, as §7.4 allows ("a value larger than it is able to decode"): no
 * index, length or stream id we could act on is that large. We also refuse
 * more than 8 continuation bytes, which bounds the work a run of redundant
 * zero groups (0x80 0x80 ...) can cause.
 */
import { Buffer } from 'node:buffer';
import { Http3Error } from './errors.js';
import type { H3ErrorName, H3ErrorScope } from './errors.js';

const MAX_CONTINUATION_BYTES = 8;

export interface PrefixIntegerRead {
  value: number;
  size: number;
}

/** How the caller wants a too-large integer reported (the code depends on the stream, RFC 9204 §7.4). */
export interface PrefixIntegerErrorContext {
  code: H3ErrorName;
  scope?: H3ErrorScope;
}

/** Bytes needed for `value` with an N-bit prefix. */
export function prefixIntegerSize(value: number, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) return 1;
  let rest = value - max;
  let size = 2;
  while (rest >= 128) {
    rest = Math.floor(rest / 128);
    size++;
  }
  return size;
}

/**
 * Writes `value` with an N-bit prefix at `offset`; `highBits` are the bits of
 * the first byte above the prefix (a representation's pattern and flags).
 * Returns the offset after the integer.
 */
export function writePrefixInteger(buf: Uint8Array, offset: number, value: number, prefixBits: number, highBits: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not an encodable integer: ${value}`);
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    buf[offset] = highBits | value;
    return offset + 1;
  }
  buf[offset++] = highBits | max;
  let rest = value - max;
  while (rest >= 128) {
    buf[offset++] = 0x80 | rest % 128;
    rest = Math.floor(rest / 128);
  }
  buf[offset++] = rest;
  return offset;
}

/** Encodes `value` with an N-bit prefix into a new buffer. */
export function encodePrefixInteger(value: number, prefixBits: number, highBits = 0): Buffer {
  const out = Buffer.alloc(prefixIntegerSize(value, prefixBits));
  writePrefixInteger(out, 0, value, prefixBits, highBits);
  return out;
}

/**
 * Reads an integer with an N-bit prefix at `offset` (the bits above the
 * prefix are ignored). Returns null when `buf` ends before the integer does;
 * throws an Http3Error of the caller's code when the integer is too large.
 */
export function readPrefixInteger(
  buf: Uint8Array,
  offset: number,
  prefixBits: number,
  onTooLarge: PrefixIntegerErrorContext,
): PrefixIntegerRead | null {
  if (offset >= buf.length) return null;
  const max = (1 << prefixBits) - 1;
  let value = buf[offset]! & max;
  if (value < max) return { value, size: 1 };
  let multiplier = 1;
  for (let i = 1; i <= MAX_CONTINUATION_BYTES; i++) {
    if (offset + i >= buf.length) return null;
    const byte = buf[offset + i]!;
    value += (byte & 0x7f) * multiplier;
    if (value > Number.MAX_SAFE_INTEGER) break;
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
    multiplier *= 128;
  }
  throw new Http3Error(onTooLarge.code, 'prefixed integer too large to decode (RFC 9204 §4.1.1, §7.4)', onTooLarge.scope);
}
