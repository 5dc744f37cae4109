/** The errors of the QUIC driver. */
import { addressText } from './address.js';
import type { QuicCloseInfo } from './close-info.js';

/** The native QUIC module is missing or does not load on this platform. */
export class QuicUnavailableError extends Error {
  override readonly name = 'QuicUnavailableError';
  readonly code = 'QUIC_UNAVAILABLE';

  constructor(cause: unknown) {
    super(
      `@wstack/http3 needs the prebuilt QUIC module for ${process.platform}-${process.arch} ` +
        `(package @matrixai/quic-${process.platform}-${process.arch}), and it did not load: ${(cause as Error)?.message ?? String(cause)}. ` +
        'HTTP/3 is not available here; HTTP/1.1 and HTTP/2 (@wstack/http1, @wstack/http2) do not need it.',
      { cause },
    );
  }
}

/** The UDP port could not be bound. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly code: string,
    readonly host: string,
    readonly port: number,
    cause: Error,
  ) {
    super(`cannot listen for HTTP/3 on UDP ${addressText(host, port)}: ${code}${code === 'EADDRINUSE' ? ' (the UDP port is in use)' : ''}`, { cause });
  }
}

/**
 * The handshake did not complete: refused, failed, timed out (`QUIC_TIMEOUT`),
 * cancelled, or the server's certificate was not trusted (`CERT_UNTRUSTED`).
 */
export class DialError extends Error {
  override readonly name = 'DialError';
  constructor(
    message: string,
    readonly info?: QuicCloseInfo,
    readonly code: 'QUIC_HANDSHAKE_FAILED' | 'QUIC_TIMEOUT' | 'CERT_UNTRUSTED' = 'QUIC_HANDSHAKE_FAILED',
  ) {
    super(message);
  }
}

/** The peer allows no more streams of the kind now (RFC 9000 §4.6). */
export class StreamLimitError extends Error {
  override readonly name = 'StreamLimitError';
  readonly code = 'QUIC_STREAM_LIMIT';
}
