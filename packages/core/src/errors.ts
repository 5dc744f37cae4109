/**
 * The runtime's own errors. The protocol's (ProtocolError, HandshakeError,
 * UsageError) come from @wstack/protocol; a transport's stream reset is
 * TransportResetError here.
 */
/** Raised on the connection when keepalive, idle or close timers run out. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly code: 'PONG_TIMEOUT' | 'CLOSE_TIMEOUT',
    message: string,
  ) {
    super(message);
  }
}

/** A connection attempt cancelled through its AbortSignal. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';

  constructor(cause?: unknown) {
    super('the WebSocket connection attempt was aborted', { cause });
  }
}

/**
 * The peer reset the stream that carried a WebSocket instead of ending it:
 * HTTP/2's RST_STREAM (RFC 9113 §6.4), HTTP/3's RESET_STREAM or
 * STOP_SENDING (RFC 9000 §19.4, §19.5). `resetCode` is the code on the wire.
 */
export class TransportResetError extends Error {
  override readonly name = 'TransportResetError';
  readonly code = 'STREAM_RESET';

  constructor(
    readonly transport: 'h2' | 'h3',
    readonly resetCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
