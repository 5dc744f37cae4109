/**
 * Unidirectional stream types (RFC 9114 §6.2, RFC 9204 §4.2) and the facts a
 * QUIC stream id carries (RFC 9000 §2.1: bit 0 says who opened it, bit 1
 * whether it is unidirectional).
 */

export const StreamType = {
  CONTROL: 0x00,
  PUSH: 0x01,
  QPACK_ENCODER: 0x02,
  QPACK_DECODER: 0x03,
} as const;

export function isClientInitiated(streamId: number): boolean {
  return (streamId & 0x1) === 0;
}

export function isUnidirectional(streamId: number): boolean {
  return (streamId & 0x2) !== 0;
}
