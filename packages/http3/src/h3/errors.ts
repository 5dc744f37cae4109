/**
 * HTTP/3 and QPACK error codes, and the one error class every decoder in this
 * package raises for what the peer sent.
 *
 * Each error says whether it closes the whole QUIC connection or only resets
 * one stream (RFC 9114 §8: "connection error" vs "stream error"); the default
 * comes from the code, and the place that detects the fault may override it
 * where the RFC says otherwise (e.g. RFC 9204 §7.4: an integer too large to
 * decode on a request stream is a stream error).
 */

/** RFC 9114 §8.1 and RFC 9204 §6: name → wire value. */
export const H3ErrorCode = {
  H3_NO_ERROR: 0x100,
  H3_GENERAL_PROTOCOL_ERROR: 0x101,
  H3_INTERNAL_ERROR: 0x102,
  H3_STREAM_CREATION_ERROR: 0x103,
  H3_CLOSED_CRITICAL_STREAM: 0x104,
  H3_FRAME_UNEXPECTED: 0x105,
  H3_FRAME_ERROR: 0x106,
  H3_EXCESSIVE_LOAD: 0x107,
  H3_ID_ERROR: 0x108,
  H3_SETTINGS_ERROR: 0x109,
  H3_MISSING_SETTINGS: 0x10a,
  H3_REQUEST_REJECTED: 0x10b,
  H3_REQUEST_CANCELLED: 0x10c,
  H3_REQUEST_INCOMPLETE: 0x10d,
  H3_MESSAGE_ERROR: 0x10e,
  H3_CONNECT_ERROR: 0x10f,
  H3_VERSION_FALLBACK: 0x110,
  QPACK_DECOMPRESSION_FAILED: 0x200,
  QPACK_ENCODER_STREAM_ERROR: 0x201,
  QPACK_DECODER_STREAM_ERROR: 0x202,
} as const;

export type H3ErrorName = keyof typeof H3ErrorCode;

/** Whether the error closes the connection or resets one stream (RFC 9114 §8). */
export type H3ErrorScope = 'connection' | 'stream';

/**
 * Codes the RFCs raise as stream errors. Everything else found by this
 * package is a connection error: frame layout and sequence (§7.1, §4.1),
 * settings, ids, critical streams, and QPACK (RFC 9204 §2.2).
 */
const streamScoped: ReadonlySet<H3ErrorName> = new Set<H3ErrorName>([
  'H3_NO_ERROR',
  'H3_INTERNAL_ERROR',
  'H3_REQUEST_REJECTED',
  'H3_REQUEST_CANCELLED',
  'H3_REQUEST_INCOMPLETE',
  // §4.1.2: a malformed message is a stream error.
  'H3_MESSAGE_ERROR',
  'H3_CONNECT_ERROR',
  'H3_VERSION_FALLBACK',
]);

/** The scope a code has when the RFC does not say otherwise. */
export function defaultScope(code: H3ErrorName): H3ErrorScope {
  return streamScoped.has(code) ? 'stream' : 'connection';
}

/** A violation of RFC 9114 / RFC 9204 (or of a local limit) by the peer. */
export class Http3Error extends Error {
  override readonly name = 'Http3Error';
  /** The error's name, e.g. 'H3_FRAME_UNEXPECTED': stable, switch on it. */
  readonly code: H3ErrorName;
  /** The number to put on the wire (CONNECTION_CLOSE or RESET_STREAM / STOP_SENDING). */
  readonly wireCode: number;
  readonly scope: H3ErrorScope;

  constructor(code: H3ErrorName, message: string, scope: H3ErrorScope = defaultScope(code)) {
    super(message);
    this.code = code;
    this.wireCode = H3ErrorCode[code];
    this.scope = scope;
  }

  get isConnectionError(): boolean {
    return this.scope === 'connection';
  }
}

/** The name of a wire error code, if it is one of ours (unknown codes mean H3_NO_ERROR, §8). */
export function errorNameOf(wireCode: number): H3ErrorName | undefined {
  for (const [name, value] of Object.entries(H3ErrorCode)) {
    if (value === wireCode) return name as H3ErrorName;
  }
  return undefined;
}
