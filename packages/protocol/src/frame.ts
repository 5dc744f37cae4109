/**
 * Frame layout facts of RFC 6455 §5.2, shared by the parser and the serializer.
 */

export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export type OpcodeValue = (typeof Opcode)[keyof typeof Opcode];

/** Control frames carry at most 125 bytes of payload (§5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/**
 * The largest payload length a JavaScript number holds exactly. §5.2 allows
 * 63-bit lengths; anything above this is refused before it is read further.
 */
export const MAX_SAFE_LENGTH = Number.MAX_SAFE_INTEGER;

export interface FrameHeader {
  fin: boolean;
  /** RSV1..RSV3 as the three low bits (RSV1 = 4). */
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Payload length in bytes. */
  length: number;
}

/** Control opcodes have the high bit of the nibble set (§5.5). */
export function isControl(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Header size for a payload length, with or without the 4-byte masking key. */
export function headerSize(length: number, masked: boolean): number {
  const base = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  return masked ? base + 4 : base;
}
