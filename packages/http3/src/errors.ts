/** The errors of the HTTP/3 transport above QUIC (quic/errors.ts has the driver's; h3/errors.ts the HTTP/3 error codes). */
import { H3ErrorCode, type Http3Error } from './h3/errors.js';

/** The QUIC connection ended (closed by either side, timed out idle, or failed). */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  readonly code = 'QUIC_CONNECTION_CLOSED';
}

/** The peer's stream broke the rules of HTTP/3: `error` says how, and whether it is a connection error. */
export class StreamProtocolError extends Error {
  override readonly name = 'StreamProtocolError';
  constructor(readonly error: Http3Error) {
    super(error.message, { cause: error });
  }
}

/** The stream ended (FIN or reset) before its head. */
export class StreamEndedError extends Error {
  override readonly name = 'StreamEndedError';
  /** The peer's RESET_STREAM code, when it reset the stream. */
  readonly resetCode: number | undefined;

  constructor(message: string, options?: ErrorOptions & { resetCode?: number }) {
    super(message, options);
    this.resetCode = options?.resetCode;
  }

  /** The server refused the request unprocessed (H3_REQUEST_REJECTED, RFC 9114 §4.1.1): it may go to another connection. */
  get refusedUnprocessed(): boolean {
    return this.resetCode === H3ErrorCode.H3_REQUEST_REJECTED;
  }
}

/** How many connections one WebSocket or request is offered to when each refuses it unprocessed. */
export const MAX_OFFERS = 4;
