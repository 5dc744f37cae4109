/**
 * The version-independent properties of QUIC packets (RFC 8999 §5): what a
 * server may read of any datagram before knowing its version. A long header
 * (first bit set) carries the version and both connection ids with their
 * lengths (up to 255 bytes each in any version); a short header carries
 * only the destination id, whose length the receiver chose.
 */
import type { Buffer } from 'node:buffer';

export interface PacketInvariants {
  long: boolean;
  /** Long headers only; 0 marks a Version Negotiation packet (RFC 8999 §6). */
  version: number;
  dcid: Buffer;
  /** Long headers only. */
  scid: Buffer | undefined;
}

/** The first packet's invariant fields, or undefined when the datagram is too short to hold them. */
export function readInvariants(datagram: Buffer, shortDcidLength: number): PacketInvariants | undefined {
  if (datagram.length === 0) return undefined;
  if ((datagram[0]! & 0x80) === 0) {
    if (datagram.length < 1 + shortDcidLength) return undefined;
    return { long: false, version: 0, dcid: datagram.subarray(1, 1 + shortDcidLength), scid: undefined };
  }
  if (datagram.length < 7) return undefined;
  const version = datagram.readUInt32BE(1);
  const dcidEnd = 6 + datagram[5]!;
  if (dcidEnd + 1 > datagram.length) return undefined;
  const scidEnd = dcidEnd + 1 + datagram[dcidEnd]!;
  if (scidEnd > datagram.length) return undefined;
  return { long: true, version, dcid: datagram.subarray(6, dcidEnd), scid: datagram.subarray(dcidEnd + 1, scidEnd) };
}
