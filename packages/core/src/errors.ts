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

/**
 * More than the connection's `maxBufferedAmount` waited to be sent: the peer
 * does not read what it is sent. The connection closes with 1008 (as the
 * WHATWG standard closes a WebSocket whose buffer is full) and carries this
 * error in its close details.
 */
export class SendBufferFullError extends Error {
  override readonly name = 'SendBufferFullError';
  readonly code = 'SEND_BUFFER_FULL';

  constructor(
    readonly bufferedAmount: number,
    readonly maxBufferedAmount: number,
  ) {
    super(`${bufferedAmount} bytes wait to be sent, more than maxBufferedAmount (${maxBufferedAmount}): the peer is not reading`);
  }
}

/**
 * The transport's connection ended after the peer announced it was going
 * away (an HTTP/2 or HTTP/3 GOAWAY) and before the closing handshake was
 * done. A WebSocket so ended reports 1001, going away (RFC 6455 §7.4.1),
 * rather than 1006: the peer said why. `cause` is how the connection ended.
 */
export class GoneAwayError extends Error {
  override readonly name = 'GoneAwayError';
  readonly code = 'GONE_AWAY';

  constructor(
    readonly transport: 'h2' | 'h3',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
