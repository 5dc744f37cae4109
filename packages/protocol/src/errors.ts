/**
 * Typed errors. Every error the core raises has a stable `code` string that
 * callers may switch on; wire violations also carry the close code to send,
 * assigned once, here (RFC 6455 §7.4.1).
 */

/** Close codes of RFC 6455 §7.4.1 that the core itself sends. */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
} as const;

/** Wire violations, each mapped to the close code that answers it. */
const protocolErrorCloseCodes = {
  // §5.2: RSV bits set without an extension that defines them.
  RSV_NOT_NEGOTIATED: CloseCode.PROTOCOL_ERROR,
  // RFC 7692 §6: RSV1 marks the first frame of a compressed message, never a continuation or control frame.
  RSV1_MISPLACED: CloseCode.PROTOCOL_ERROR,
  // §5.2: opcodes 3-7 and 0xB-0xF are reserved.
  RESERVED_OPCODE: CloseCode.PROTOCOL_ERROR,
  // §5.5: control frames are never fragmented and carry at most 125 bytes.
  CONTROL_FRAGMENTED: CloseCode.PROTOCOL_ERROR,
  CONTROL_TOO_LONG: CloseCode.PROTOCOL_ERROR,
  // §5.4: a continuation needs a message in progress; a new data frame must not interrupt one.
  UNEXPECTED_CONTINUATION: CloseCode.PROTOCOL_ERROR,
  EXPECTED_CONTINUATION: CloseCode.PROTOCOL_ERROR,
  // §5.1: clients mask every frame, servers mask none.
  MASK_REQUIRED: CloseCode.PROTOCOL_ERROR,
  MASK_FORBIDDEN: CloseCode.PROTOCOL_ERROR,
  // §5.2: the most significant bit of a 64-bit length must be 0.
  INVALID_LENGTH: CloseCode.PROTOCOL_ERROR,
  // §5.5.1: a close body is empty or holds a 2-byte code; the code must be valid (§7.4).
  INVALID_CLOSE_PAYLOAD: CloseCode.PROTOCOL_ERROR,
  INVALID_CLOSE_CODE: CloseCode.PROTOCOL_ERROR,
  // §8.1: text must be valid UTF-8, and so must a close reason (§5.5.1).
  INVALID_UTF8: CloseCode.INVALID_PAYLOAD,
  // RFC 7692 §7.2.2: a compressed message that does not inflate.
  INVALID_COMPRESSED_DATA: CloseCode.INVALID_PAYLOAD,
  // Local limits (§10.4): refuse what is too big before committing memory.
  FRAME_TOO_LARGE: CloseCode.MESSAGE_TOO_BIG,
  MESSAGE_TOO_LARGE: CloseCode.MESSAGE_TOO_BIG,
  TOO_MANY_FRAGMENTS: CloseCode.MESSAGE_TOO_BIG,
} as const;

export type ProtocolErrorCode = keyof typeof protocolErrorCloseCodes;

/** A violation of RFC 6455 (or of a local limit) by the peer. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  /** The close code to send to the peer in answer. */
  readonly closeCode: number;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.code = code;
    this.closeCode = protocolErrorCloseCodes[code];
  }
}

export type HandshakeErrorCode =
  /** A header value breaks its grammar. */
  | 'INVALID_HEADER'
  /** Server: not a WebSocket upgrade (method, Upgrade or Connection, Host, pseudo-headers). */
  | 'INVALID_REQUEST'
  | 'INVALID_KEY'
  | 'UNSUPPORTED_VERSION'
  /** Client: the server answered with a status other than 101 (HTTP/1.1) or 200 (HTTP/2, HTTP/3). */
  | 'UNEXPECTED_STATUS'
  /** Client: the 101 answer lacks `Upgrade: websocket` or `Connection: Upgrade`. */
  | 'INVALID_UPGRADE'
  | 'INVALID_ACCEPT'
  | 'INVALID_SUBPROTOCOL'
  | 'INVALID_EXTENSION'
  /** The handshake did not finish in time. */
  | 'TIMEOUT'
  /** Client: the peer cannot carry WebSockets this way (e.g. no extended CONNECT); try another transport. */
  | 'NOT_SUPPORTED';

/** A handshake that cannot go on; `status` is the HTTP status a server answers with. */
export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  readonly code: HandshakeErrorCode;
  readonly status: number;

  constructor(code: HandshakeErrorCode, message: string, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export type UsageErrorCode = 'INVALID_STATE' | 'INVALID_ARGUMENT';

/** A call the local application made that the protocol state does not allow. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code: UsageErrorCode;

  constructor(code: UsageErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
