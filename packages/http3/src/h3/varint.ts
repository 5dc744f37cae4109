/**
 * QUIC variable-length integers (RFC 9000 §16): the two most significant bits
 * of the first byte give the length (1, 2, 4 or 8 bytes), the rest is the
 * value in network byte order, up to 2^62-1.
 *
 * JavaScript numbers hold integers exactly only up to 2^53-1. Our choice:
 * - `readVarint` returns a number; a value above 2^53-1 is clamped to
 *   `VARINT_CLAMPED` (2^53, which no exact result can equal). Every caller in
 *   this package treats that as "too large to matter": an unknown frame or
 *   stream type, a length no limit allows, a skip that will not end soon.
 * - `readVarintBigInt` returns the exact value, for the few places where large
 *   values are legitimate and must be compared exactly (GOAWAY ids, which may
 *   be 2^62-4 (RFC 9114 §5.2); setting identifiers, for duplicate detection).
 * - The encoders take a number (a safe integer) or a bigint (up to 2^62-1) and
 *   throw a RangeError otherwise: that is a bug of the caller, not of the peer.
 */
import { Buffer } from 'node:buffer';

export const MAX_VARINT = (1n << 62n) - 1n;
/** What `readVarint` returns for any value above Number.MAX_SAFE_INTEGER. */
export const VARINT_CLAMPED = 2 ** 53;

export interface VarintRead {
  value: number;
  size: number;
}

export interface VarintReadBigInt {
  value: bigint;
  size: number;
}

/** The encoded size of a value: 1, 2, 4 or 8 bytes. */
export function varintSize(n: number | bigint): 1 | 2 | 4 | 8 {
  if (typeof n === 'number') {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a varint value: ${n}`);
    return n < 0x40 ? 1 : n < 0x4000 ? 2 : n < 0x40000000 ? 4 : 8;
  }
  if (n < 0n || n > MAX_VARINT) throw new RangeError(`not a varint value: ${n}`);
  const v = n;
  if (v < 0x40n) return 1;
  if (v < 0x4000n) return 2;
  if (v < 0x40000000n) return 4;
  return 8;
}

/** Encodes a value in the shortest form. */
export function encodeVarint(n: number | bigint): Buffer {
  const out = Buffer.allocUnsafe(varintSize(n));
  writeVarint(out, 0, n);
  return out;
}

/** Writes a value at `offset` in the shortest form; returns the offset after it. */
export function writeVarint(buf: Uint8Array, offset: number, n: number | bigint): number {
  const size = varintSize(n);
  if (typeof n === 'number' && size <= 4) {
    // Fast path for the common small values, without bigint arithmetic.
    if (size === 1) {
      buf[offset] = n;
    } else if (size === 2) {
      buf[offset] = 0x40 | (n >>> 8);
      buf[offset + 1] = n & 0xff;
    } else {
      buf[offset] = 0x80 | (n >>> 24);
      buf[offset + 1] = (n >>> 16) & 0xff;
      buf[offset + 2] = (n >>> 8) & 0xff;
      buf[offset + 3] = n & 0xff;
    }
    return offset + size;
  }
  let v = BigInt(n) | (BigInt(lengthBits(size)) << BigInt(size * 8 - 2));
  for (let i = size - 1; i >= 0; i--) {
    buf[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return offset + size;
}

/**
 * Reads a varint at `offset`, or returns null when `buf` ends before it does.
 * Values above 2^53-1 come back as VARINT_CLAMPED (see the module comment).
 */
export function readVarint(buf: Uint8Array, offset: number): VarintRead | null {
  if (offset >= buf.length) return null;
  const first = buf[offset]!;
  const size = 1 << (first >> 6);
  if (offset + size > buf.length) return null;
  let value = first & 0x3f;
  if (size === 8 && value > 0x1f) {
    // The top six bits alone make it at least 2^53.
    return { value: VARINT_CLAMPED, size };
  }
  for (let i = 1; i < size; i++) value = value * 256 + buf[offset + i]!;
  return { value: value > Number.MAX_SAFE_INTEGER ? VARINT_CLAMPED : value, size };
}

/** Reads a varint exactly, or returns null when `buf` ends before it does. */
export function readVarintBigInt(buf: Uint8Array, offset: number): VarintReadBigInt | null {
  if (offset >= buf.length) return null;
  const first = buf[offset]!;
  const size = 1 << (first >> 6);
  if (offset + size > buf.length) return null;
  let value = BigInt(first & 0x3f);
  for (let i = 1; i < size; i++) value = (value << 8n) | BigInt(buf[offset + i]!);
  return { value, size };
}

/** The encoded length of a varint from its first byte (RFC 9000 §16, Table 4). */
export function varintLengthFromFirstByte(first: number): 1 | 2 | 4 | 8 {
  return (1 << (first >> 6)) as 1 | 2 | 4 | 8;
}

function lengthBits(size: 1 | 2 | 4 | 8): number {
  return size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3;
}
