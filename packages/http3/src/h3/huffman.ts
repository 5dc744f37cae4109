/**
 * Huffman coding of string literals with the static code of RFC 7541
 * Appendix B (used unchanged by QPACK, RFC 9204 §4.1.2).
 *
 * Strings are byte strings: a JavaScript string argument stands for its
 * Latin-1 bytes (one char per byte, as field values are carried here).
 *
 * Decoding walks the code four bits at a time through a state table built
 * once at load: a state is an inner node of the code tree (the bits read of a
 * code not yet complete), and for each of its 16 nibbles the table gives the
 * next state and the symbol completed on the way, if any. No code is shorter
 * than 5 bits, so a nibble completes at most one symbol.
 */
import { Buffer } from 'node:buffer';
import { Http3Error } from './errors.js';
import { HUFFMAN_CODES, HUFFMAN_EOS } from './huffman-table.js';

const codeOf = (symbol: number): number => HUFFMAN_CODES[2 * symbol]!;
const lengthOf = (symbol: number): number => HUFFMAN_CODES[2 * symbol + 1]!;

/** Bits of each byte's code, for the length computation. */
const BIT_LENGTHS = Uint8Array.from({ length: 256 }, (_, symbol) => lengthOf(symbol));

/** The number of bytes `input` takes once Huffman-encoded. */
export function huffmanEncodedLength(input: Uint8Array | string): number {
  const bytes = toBytes(input);
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) bits += BIT_LENGTHS[bytes[i]!]!;
  return Math.ceil(bits / 8);
}

/** Huffman-encodes `input`; the last byte is padded with the high bits of EOS (all ones, §5.2). */
export function huffmanEncode(input: Uint8Array | string): Buffer {
  const bytes = toBytes(input);
  const out = Buffer.allocUnsafe(huffmanEncodedLength(bytes));
  let pending = 0; // fewer than 8 bits not yet written
  let pendingBits = 0;
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const code = codeOf(bytes[i]!);
    let remaining = lengthOf(bytes[i]!);
    while (pendingBits + remaining >= 8) {
      const take = 8 - pendingBits;
      remaining -= take;
      out[o++] = (pending << take) | ((code >>> remaining) & ((1 << take) - 1));
      pending = 0;
      pendingBits = 0;
    }
    pending = (pending << remaining) | (code & ((1 << remaining) - 1));
    pendingBits += remaining;
  }
  if (pendingBits > 0) {
    const pad = 8 - pendingBits;
    out[o++] = (pending << pad) | ((1 << pad) - 1);
  }
  return out;
}

// --- decoding -------------------------------------------------------------

/** Table entry layout: next state in bits 0-7, symbol in bits 8-15, flags above. */
const EMIT = 1 << 16;
const FAIL = 1 << 17;

interface DecoderTables {
  /** [state * 16 + nibble] → entry. */
  transitions: Uint32Array;
  /** Bits read into the pending code, per state. */
  depth: Uint8Array;
  /** Whether those bits are all ones, i.e. a prefix of EOS, per state. */
  allOnes: Uint8Array;
}

function buildDecoderTables(): DecoderTables {
  // The code tree: inner nodes are numbered from 0 (the root); a child is
  // either another inner node (>= 0) or a leaf, stored as -(symbol + 1).
  const unset = 0x7fffffff;
  const children: [number, number][] = [[unset, unset]];
  const depth: number[] = [0];
  const allOnes: boolean[] = [true];
  for (let symbol = 0; symbol <= HUFFMAN_EOS; symbol++) {
    const code = codeOf(symbol);
    const length = lengthOf(symbol);
    let node = 0;
    for (let i = length - 1; i >= 0; i--) {
      const bit = (code >>> i) & 1;
      const pair = children[node]!;
      if (i === 0) {
        pair[bit] = -(symbol + 1);
      } else {
        if (pair[bit] === unset) {
          pair[bit] = children.length;
          children.push([unset, unset]);
          depth.push(depth[node]! + 1);
          allOnes.push(allOnes[node]! && bit === 1);
        }
        node = pair[bit]!;
      }
    }
  }
  const states = children.length; // 256 for a complete code of 257 symbols
  const transitions = new Uint32Array(states * 16);
  for (let state = 0; state < states; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const child = children[node]![(nibble >>> i) & 1]!;
        if (child >= 0) {
          node = child;
          continue;
        }
        const symbol = -child - 1;
        if (symbol === HUFFMAN_EOS) {
          entry |= FAIL;
          break;
        }
        entry |= EMIT | (symbol << 8);
        node = 0;
      }
      transitions[state * 16 + nibble] = entry | node;
    }
  }
  return {
    transitions,
    depth: Uint8Array.from(depth),
    allOnes: Uint8Array.from(allOnes, (b) => (b ? 1 : 0)),
  };
}

const TABLES = buildDecoderTables();

/**
 * Decodes a Huffman-encoded string. Rejects, as RFC 7541 §5.2 requires, a
 * string containing EOS, padding longer than 7 bits, and padding that is not
 * the most significant bits of EOS; each as QPACK_DECOMPRESSION_FAILED, the
 * code QPACK gives to a field section it cannot interpret (RFC 9204 §6).
 */
export function huffmanDecode(input: Uint8Array): Buffer {
  const { transitions } = TABLES;
  // The shortest code is 5 bits, so at most 8/5 symbols per byte.
  const out = Buffer.allocUnsafe(Math.ceil((input.length * 8) / 5));
  let o = 0;
  let state = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    let entry = transitions[state * 16 + (byte >>> 4)]!;
    if (entry & EMIT) out[o++] = (entry >>> 8) & 0xff;
    if (entry & FAIL) throw eosError();
    state = entry & 0xff;
    entry = transitions[state * 16 + (byte & 0x0f)]!;
    if (entry & EMIT) out[o++] = (entry >>> 8) & 0xff;
    if (entry & FAIL) throw eosError();
    state = entry & 0xff;
  }
  if (state !== 0) {
    if (!TABLES.allOnes[state]) {
      throw new Http3Error('QPACK_DECOMPRESSION_FAILED', 'Huffman padding is not a prefix of EOS (RFC 7541 §5.2)');
    }
    if (TABLES.depth[state]! > 7) {
      throw new Http3Error('QPACK_DECOMPRESSION_FAILED', 'Huffman padding is longer than 7 bits (RFC 7541 §5.2)');
    }
  }
  return out.subarray(0, o);
}

/** The number of decoder states, for tests: one per inner node of the code tree. */
export const HUFFMAN_DECODER_STATES = TABLES.depth.length;

function eosError(): Http3Error {
  return new Http3Error('QPACK_DECOMPRESSION_FAILED', 'Huffman-encoded string contains EOS (RFC 7541 §5.2)');
}

function toBytes(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
}
