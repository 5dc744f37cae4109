/**
 * The parts of the opening handshake (RFC 6455 §4) that every transport
 * shares: the key and its accept value (§4.2.2) and the version policy
 * (§4.4). The HTTP/1.1 transport uses all of it; HTTP/2 and HTTP/3 have no
 * key (RFC 8441 §5) but the same version header.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HandshakeError } from './errors.js';

/** The GUID of RFC 6455 §1.3, appended to the key before hashing. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Versions a server accepts: 13 (RFC 6455) and 8 (hybi-08 to -12, the same wire format). */
export const SUPPORTED_VERSIONS = [13, 8] as const;

/** The `Sec-WebSocket-Version` value that a 426 answer carries (§4.4). */
export const SUPPORTED_VERSIONS_HEADER = SUPPORTED_VERSIONS.join(', ');

/** A fresh `Sec-WebSocket-Key`: 16 random bytes, base64 (§4.1). */
export function generateKey(): string {
  return randomBytes(16).toString('base64');
}

/** 22 base64 digits and `==` decode to exactly 16 bytes. */
const KEY_PATTERN = /^[A-Za-z0-9+/]{22}==$/;

/** Whether a `Sec-WebSocket-Key` is base64 of 16 bytes (§4.2.1, item 5). */
export function isValidKey(key: string | undefined): key is string {
  return key !== undefined && KEY_PATTERN.test(key);
}

/** `Sec-WebSocket-Accept` for a key: base64 of SHA-1 of key + GUID (§4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/**
 * Checks a `Sec-WebSocket-Version` value and returns the version. A missing,
 * malformed or unsupported one is a HandshakeError with status 426, whose
 * answer must carry `Sec-WebSocket-Version: 13, 8` (§4.4).
 */
export function checkVersion(value: string | undefined): number {
  const version = value !== undefined && /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if ((SUPPORTED_VERSIONS as readonly number[]).includes(version)) return version;
  throw new HandshakeError('UNSUPPORTED_VERSION', `unsupported Sec-WebSocket-Version ${JSON.stringify(value ?? null)}`, 426);
}
