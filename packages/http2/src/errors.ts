/** The errors of the HTTP/2 transport; handshake failures are @wstack/protocol's HandshakeError, a stream reset is core's TransportResetError. */

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

/** A session that did not answer a PING in time. */
export class SessionTimeoutError extends Error {
  override readonly name = 'SessionTimeoutError';
  readonly code = 'SESSION_TIMEOUT';

  constructor(ms: number) {
    super(`the HTTP/2 session did not answer a PING within ${ms} ms`);
  }
}

/** A connection attempt cancelled through its AbortSignal (core's; exported here too). */
export { AbortError } from '@wstack/core';
