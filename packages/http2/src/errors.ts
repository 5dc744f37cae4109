/** The errors of the HTTP/2 transport; handshake failures are core's HandshakeError. */

/** HTTP/2 error codes (RFC 9113 §7), for messages. */
const ERROR_CODE_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

export function errorCodeName(code: number): string {
  return ERROR_CODE_NAMES[code] ?? `0x${code.toString(16)}`;
}

/** The peer (or its session) ended a WebSocket's stream with RST_STREAM instead of END_STREAM. */
export class StreamResetError extends Error {
  override readonly name = 'StreamResetError';
  readonly code = 'STREAM_RESET';

  constructor(
    readonly rstCode: number,
    cause?: Error,
  ) {
    super(`the HTTP/2 stream was reset with ${errorCodeName(rstCode)} (${rstCode})`, cause === undefined ? undefined : { cause });
  }
}

/** A connection attempt cancelled through its AbortSignal (core's; exported here too). */
export { AbortError } from '@wstack/core';
