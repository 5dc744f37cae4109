/**
 * HTTP/3 frame types and frame encoders (RFC 9114 §7).
 * Every frame is Type (varint), Length (varint), Payload (§7.1).
 */
import { Buffer } from 'node:buffer';
import { Http3Error } from './errors.js';
import { readVarintBigInt, varintSize, writeVarint } from './varint.js';

/** The frame types of RFC 9114 §7.2. */
export const FrameType = {
  DATA: 0x00,
  HEADERS: 0x01,
  CANCEL_PUSH: 0x03,
  SETTINGS: 0x04,
  PUSH_PROMISE: 0x05,
  GOAWAY: 0x07,
  MAX_PUSH_ID: 0x0d,
} as const;

/** RFC 9218 §7.2: PRIORITY_UPDATE for a request stream and for a push stream. We skip both. */
export const PRIORITY_UPDATE_REQUEST = 0xf0700;
export const PRIORITY_UPDATE_PUSH = 0xf0701;

/**
 * RFC 9114 §7.2.8: HTTP/2's PRIORITY, PING, WINDOW_UPDATE and CONTINUATION
 * have no HTTP/3 counterpart; receiving one is H3_FRAME_UNEXPECTED.
 */
export function isHttp2ReservedFrameType(type: number): boolean {
  return type === 0x02 || type === 0x06 || type === 0x08 || type === 0x09;
}

/**
 * Frame types whose payload the frame reader buffers whole (the non-DATA
 * frames of §7.2). DATA is streamed; every other type is skipped unread.
 */
export function isBufferedFrameType(type: number): boolean {
  return (
    type === FrameType.HEADERS ||
    type === FrameType.CANCEL_PUSH ||
    type === FrameType.SETTINGS ||
    type === FrameType.PUSH_PROMISE ||
    type === FrameType.GOAWAY ||
    type === FrameType.MAX_PUSH_ID
  );
}

/**
 * Whether a value is of the reserved form 0x1f * N + 0x21 ("GREASE"), used
 * for frame types (§7.2.8), stream types (§6.2.3), settings (§7.2.4.1) and
 * error codes (§8.1).
 */
export function isReservedValue(value: number | bigint): boolean {
  const v = BigInt(value);
  return v >= 0x21n && (v - 0x21n) % 0x1fn === 0n;
}

/** The Nth reserved value, 0x1f * N + 0x21 (as a bigint: it can exceed 2^53). */
export function reservedValue(n: number | bigint): bigint {
  return 0x1fn * BigInt(n) + 0x21n;
}

/** A frame header (type and length) alone. */
export function encodeFrameHeader(type: number | bigint, length: number): Buffer {
  const out = Buffer.allocUnsafe(varintSize(type) + varintSize(length));
  writeVarint(out, writeVarint(out, 0, type), length);
  return out;
}

/** A whole frame: header then a copy of the payload. */
export function encodeFrame(type: number | bigint, payload: Uint8Array): Buffer {
  const typeSize = varintSize(type);
  const out = Buffer.allocUnsafe(typeSize + varintSize(payload.length) + payload.length);
  const at = writeVarint(out, writeVarint(out, 0, type), payload.length);
  out.set(payload, at);
  return out;
}

/**
 * The header of a DATA frame of `length` bytes: write it, then the payload as
 * its own chunk, and no payload byte is ever copied.
 */
export function encodeDataFrameHeader(length: number): Buffer {
  return encodeFrameHeader(FrameType.DATA, length);
}

/** A DATA frame (copies the payload; prefer encodeDataFrameHeader for large payloads). */
export function encodeDataFrame(payload: Uint8Array): Buffer {
  return encodeFrame(FrameType.DATA, payload);
}

/** A HEADERS frame around an encoded field section (see qpack.ts). */
export function encodeHeadersFrame(encodedFieldSection: Uint8Array): Buffer {
  return encodeFrame(FrameType.HEADERS, encodedFieldSection);
}

/** A frame whose payload is one varint: GOAWAY, MAX_PUSH_ID, CANCEL_PUSH (§7.2.3, §7.2.6, §7.2.7). */
export function encodeIdFrame(type: number, id: number | bigint): Buffer {
  const payload = Buffer.allocUnsafe(varintSize(id));
  writeVarint(payload, 0, id);
  return encodeFrame(type, payload);
}

/**
 * GOAWAY (§7.2.6): a server sends the first client-initiated bidirectional
 * stream id it will not process; a client sends a push id.
 */
export function encodeGoawayFrame(id: number | bigint): Buffer {
  return encodeIdFrame(FrameType.GOAWAY, id);
}

/**
 * Reads the payload of a frame that holds exactly one varint. Anything
 * shorter or longer is H3_FRAME_ERROR (§7.1: "a frame payload that contains
 * additional bytes after the identified fields or ... terminates before the
 * end of the identified fields").
 */
export function readIdPayload(payload: Uint8Array, frameName: string): bigint {
  const read = readVarintBigInt(payload, 0);
  if (read === null || read.size !== payload.length) {
    throw new Http3Error('H3_FRAME_ERROR', `${frameName} payload is not exactly one varint (RFC 9114 §7.1)`);
  }
  return read.value;
}
