/**
 * What every QUIC endpoint of this package hands @matrixai/quic: crypto ops,
 * a silent logger, and the mapping between stream errors and HTTP/3 error
 * codes (RFC 9114 §8.1).
 */
import { createHmac, randomFillSync, timingSafeEqual, randomBytes } from 'node:crypto';
import type { QUICClientCrypto, QUICServerCrypto, StreamCodeToReason, StreamReasonToCode } from '@matrixai/quic';
import { H3ErrorCode } from './errors.js';

const hmac = (key: ArrayBuffer, data: ArrayBuffer): Buffer => createHmac('sha256', Buffer.from(key)).update(Buffer.from(data)).digest();

function arrayBufferOf(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
}

/**
 * The server's HMAC (its connection ids and stateless-retry tokens). It is
 * computed synchronously inside the async function, so the promise settles
 * in a microtask, before the socket's next datagram is handled: the library
 * then cannot start accepting the second datagram of one ClientHello before
 * the first made its connection (defect A, see README; the patch fixes the
 * race itself, this keeps the window shut even without it).
 */
export function serverCrypto(): QUICServerCrypto {
  return {
    key: arrayBufferOf(randomBytes(32)),
    ops: {
      async sign(key, data) {
        return arrayBufferOf(hmac(key, data));
      },
      async verify(key, data, signature) {
        const expected = hmac(key, data);
        const given = Buffer.from(signature);
        return given.length === expected.length && timingSafeEqual(given, expected);
      },
    },
  };
}

export const clientCrypto: QUICClientCrypto = {
  ops: {
    async randomBytes(data) {
      randomFillSync(new Uint8Array(data));
    },
  },
};

/**
 * A logger that says nothing: the library's default logs every connection
 * and stream at INFO to stderr. It calls only these methods.
 */
const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  getChild: () => silent,
};
// The library types its option as @matrixai/logger's class; this object has every method it calls.
export const silentLogger = silent as never;

/**
 * Our reason → the code of RESET_STREAM / STOP_SENDING. An Http3Error
 * carries its own wire code; anything else (our aborts, the library's own
 * reasons when it tears streams down) is H3_REQUEST_CANCELLED, the code RFC
 * 9114 §4.1.1 gives a request cancelled after it was processed, and RFC
 * 9220 §3 the abort of a WebSocket.
 */
export const reasonToCode: StreamReasonToCode = (_type, reason) => {
  const code = (reason as { wireCode?: unknown } | undefined)?.wireCode;
  return typeof code === 'number' ? code : H3ErrorCode.H3_REQUEST_CANCELLED;
};

/** The peer reset (or stopped) a stream with `code`. */
export class StreamResetError extends Error {
  override readonly name = 'StreamResetError';
  readonly code = 'STREAM_RESET';

  constructor(
    readonly direction: 'read' | 'write',
    readonly wireCode: number,
  ) {
    super(`the peer ${direction === 'read' ? 'reset' : 'stopped'} the HTTP/3 stream with code 0x${wireCode.toString(16)}`);
  }
}

export const codeToReason: StreamCodeToReason = (type, code) => new StreamResetError(type, code);
