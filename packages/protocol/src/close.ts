/**
 * Close frame bodies (RFC 6455 §5.5.1) and close codes (§7.4).
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { CloseCode, ProtocolError, UsageError } from './errors.js';

/** A control frame body holds at most 125 bytes (§5.5); 2 go to the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Codes that may appear in a close frame: the defined 1000–1003 and 1007–1014,
 * and 3000–4999 for libraries and applications. 1004 is reserved; 1005, 1006
 * and 1015 are reserved for reporting and never sent (§7.4.1); 0–999, the
 * rest of 1000–2999, and 5000 and above are not to be used (§7.4.2).
 */
export function isValidCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

export interface CloseInfo {
  /** 1005 (no status received) when the body was empty. */
  code: number;
  reason: string;
}

/** Parses a received close body; throws ProtocolError for an invalid one. */
export function parseClosePayload(payload: Uint8Array): CloseInfo {
  if (payload.length === 0) return { code: CloseCode.NO_STATUS, reason: '' };
  if (payload.length === 1) {
    throw new ProtocolError('INVALID_CLOSE_PAYLOAD', 'close frame body of 1 byte');
  }
  const code = (payload[0]! << 8) | payload[1]!;
  if (!isValidCloseCode(code)) {
    throw new ProtocolError('INVALID_CLOSE_CODE', `invalid close code ${code}`);
  }
  const reasonBytes = payload.subarray(2);
  if (!isUtf8(reasonBytes)) {
    throw new ProtocolError('INVALID_UTF8', 'close reason is not valid UTF-8');
  }
  return { code, reason: Buffer.from(reasonBytes.buffer, reasonBytes.byteOffset, reasonBytes.length).toString('utf8') };
}

/**
 * Builds the body of a close frame to send. Without a code the body is empty
 * (which the peer reads as 1005); a reason needs a code (§5.5.1).
 */
export function encodeClosePayload(code?: number, reason = ''): Buffer {
  if (code === undefined) {
    if (reason !== '') throw new UsageError('INVALID_ARGUMENT', 'a close reason needs a close code');
    return Buffer.alloc(0);
  }
  if (!Number.isInteger(code) || !isValidCloseCode(code)) {
    throw new UsageError('INVALID_ARGUMENT', `close code ${code} may not be sent`);
  }
  const reasonLength = Buffer.byteLength(reason);
  if (reasonLength > MAX_CLOSE_REASON_BYTES) {
    throw new UsageError('INVALID_ARGUMENT', `close reason is ${reasonLength} bytes, at most ${MAX_CLOSE_REASON_BYTES} allowed`);
  }
  const body = Buffer.allocUnsafe(2 + reasonLength);
  body.writeUInt16BE(code, 0);
  body.write(reason, 2, 'utf8');
  return body;
}
