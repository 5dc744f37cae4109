/**
 * QPACK field sections (RFC 9204 §4.5) with the static table only.
 *
 * We advertise SETTINGS_QPACK_MAX_TABLE_CAPACITY = 0 and
 * SETTINGS_QPACK_BLOCKED_STREAMS = 0, so the peer can never reference a
 * dynamic table entry, and our encoder never uses one either: every field
 * section we produce starts with Required Insert Count 0 and Base 0.
 *
 * Field names and values are byte strings: each char of a JavaScript string
 * is one byte (Latin-1), so any byte a peer sends survives decoding and
 * re-encoding unchanged.
 */
import { Buffer } from 'node:buffer';
import { Http3Error } from './errors.js';
import { huffmanDecode, huffmanEncode, huffmanEncodedLength } from './huffman.js';
import { prefixIntegerSize, readPrefixInteger, writePrefixInteger } from './prefix-integer.js';
import type { PrefixIntegerErrorContext } from './prefix-integer.js';
import { QPACK_STATIC_TABLE, findStaticExact, findStaticName } from './qpack-static-table.js';

/** One field line: [name, value]. */
export type Field = [name: string, value: string];

/** RFC 9114 §4.2.2: a field's size is its name and value lengths plus 32. */
export const FIELD_OVERHEAD = 32;

export interface DecodeFieldSectionOptions {
  /**
   * Our limit on the decoded size (RFC 9114 §4.2.2), the value we advertise
   * as SETTINGS_MAX_FIELD_SECTION_SIZE.
   */
  maxFieldSectionSize: number;
}

/** The size of a field list by the rule of RFC 9114 §4.2.2. */
export function fieldSectionSize(fields: readonly (readonly [string, string])[]): number {
  let size = 0;
  for (const [name, value] of fields) size += name.length + value.length + FIELD_OVERHEAD;
  return size;
}

// --- encoding ---------------------------------------------------------------

/**
 * Encodes a field section: an Indexed Field Line for an exact static match,
 * a Literal Field Line With Name Reference when only the name is in the
 * static table, a Literal Field Line With Literal Name otherwise. Each string
 * is Huffman-encoded only when that makes it shorter.
 *
 * Names must already be lowercase (RFC 9114 §4.2: uppercase makes the message
 * malformed) and every char must be a byte (≤ 0xff); anything else is a bug
 * of the caller, refused with H3_INTERNAL_ERROR.
 */
export function encodeFieldSection(fields: readonly (readonly [string, string])[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x00, 0x00])]; // Required Insert Count 0, Base 0 (§4.5.1)
  for (const [name, value] of fields) {
    checkEncodable(name, value);
    const exact = findStaticExact(name, value);
    if (exact !== undefined) {
      // §4.5.2 Indexed Field Line: 1 T=1 index(6+).
      parts.push(integer(exact, 6, 0xc0));
      continue;
    }
    const nameIndex = findStaticName(name);
    if (nameIndex !== undefined) {
      // §4.5.4 Literal Field Line With Name Reference: 01 N=0 T=1 index(4+), value.
      parts.push(integer(nameIndex, 4, 0x50), stringLiteral(value, 7, 0x00));
    } else {
      // §4.5.6 Literal Field Line With Literal Name: 001 N=0 H name-length(3+), name, value.
      parts.push(stringLiteral(name, 3, 0x20), stringLiteral(value, 7, 0x00));
    }
  }
  return Buffer.concat(parts);
}

function checkEncodable(name: string, value: string): void {
  if (/[A-Z]/.test(name)) {
    throw new Http3Error('H3_INTERNAL_ERROR', `field name ${JSON.stringify(name)} is not lowercase (RFC 9114 §4.2)`);
  }
  if (/[^\x00-\xff]/.test(name) || /[^\x00-\xff]/.test(value)) {
    throw new Http3Error('H3_INTERNAL_ERROR', `field ${JSON.stringify(name)} has a char above 0xff; fields are byte strings`);
  }
}

function integer(value: number, prefixBits: number, highBits: number): Buffer {
  const out = Buffer.allocUnsafe(prefixIntegerSize(value, prefixBits));
  writePrefixInteger(out, 0, value, prefixBits, highBits);
  return out;
}

/**
 * A string literal (RFC 9204 §4.1.2) whose length has a `lengthBits`-bit
 * prefix; the H flag is the bit just above it, `highBits` the bits above that.
 */
function stringLiteral(text: string, lengthBits: number, highBits: number): Buffer {
  const raw = Buffer.from(text, 'latin1');
  const huffmanLength = huffmanEncodedLength(raw);
  const useHuffman = huffmanLength < raw.length;
  const body = useHuffman ? huffmanEncode(raw) : raw;
  const flags = highBits | (useHuffman ? 1 << lengthBits : 0);
  return Buffer.concat([integer(body.length, lengthBits, flags), body]);
}

// --- decoding ---------------------------------------------------------------

/** A prefixed integer too large to decode inside a field section is a stream error (§7.4). */
const INTEGER_LIMIT: PrefixIntegerErrorContext = { code: 'QPACK_DECOMPRESSION_FAILED', scope: 'stream' };

/**
 * Decodes an encoded field section (the payload of a HEADERS frame).
 *
 * - Any use of the dynamic table (a non-zero Required Insert Count, a dynamic
 *   or post-Base reference) and a static index beyond the table are
 *   QPACK_DECOMPRESSION_FAILED connection errors (§2.2.3, §3.1, §4.5.1.1):
 *   with our capacity of 0, no conformant encoder produces them.
 * - A truncated representation, a Sign bit of 1 with Required Insert Count 0
 *   (§4.5.1.2) and bad Huffman data are QPACK_DECOMPRESSION_FAILED as well.
 * - A decoded size above `maxFieldSectionSize` is H3_EXCESSIVE_LOAD as a
 *   *stream* error: it breaks no connection state (we keep no dynamic table),
 *   and RFC 9114 §4.2.2 lets a server answer it with 431 (Request Header
 *   Fields Too Large) or a client discard the response; the caller chooses.
 * - An uppercase character in a literal field name is H3_MESSAGE_ERROR, a
 *   stream error (RFC 9114 §4.2: such a message is malformed, §4.1.2).
 * The Never-Indexed ('N') bit is accepted and has no effect here.
 */
export function decodeFieldSection(bytes: Uint8Array, options: DecodeFieldSectionOptions): Field[] {
  const reader = new SectionReader(bytes);
  const requiredInsertCount = reader.integer(8);
  if (requiredInsertCount !== 0) {
    throw decompressionFailed('Required Insert Count is not 0, but our dynamic table capacity is 0 (RFC 9204 §4.5.1.1)');
  }
  const signBit = reader.peek() & 0x80;
  reader.integer(7); // Delta Base: any Base is allowed when the dynamic table is unused (§4.5.1.2)
  if (signBit !== 0) {
    throw decompressionFailed('negative Base: Sign bit set with Required Insert Count 0 (RFC 9204 §4.5.1.2)');
  }

  const fields: Field[] = [];
  let size = 0;
  const addField = (name: string, value: string): void => {
    size += name.length + value.length + FIELD_OVERHEAD;
    if (size > options.maxFieldSectionSize) throw tooLarge(options.maxFieldSectionSize);
    fields.push([name, value]);
  };
  // Refuse a string before copying it when even its encoded form cannot fit.
  const room = (): number => options.maxFieldSectionSize - size - FIELD_OVERHEAD;

  while (!reader.done()) {
    const first = reader.peek();
    if (first & 0x80) {
      // §4.5.2 Indexed Field Line: 1 T index(6+).
      if ((first & 0x40) === 0) throw dynamicReference('Indexed Field Line');
      const [name, value] = staticEntry(reader.integer(6));
      addField(name, value);
    } else if (first & 0x40) {
      // §4.5.4 Literal Field Line With Name Reference: 01 N T index(4+), value.
      if ((first & 0x10) === 0) throw dynamicReference('Literal Field Line With Name Reference');
      const [name] = staticEntry(reader.integer(4));
      addField(name, reader.string(7, room() - name.length, options.maxFieldSectionSize));
    } else if (first & 0x20) {
      // §4.5.6 Literal Field Line With Literal Name: 001 N H length(3+), name, value.
      const name = reader.string(3, room(), options.maxFieldSectionSize);
      if (/[A-Z]/.test(name)) {
        throw new Http3Error('H3_MESSAGE_ERROR', `uppercase field name ${JSON.stringify(name)} (RFC 9114 §4.2)`);
      }
      addField(name, reader.string(7, room() - name.length, options.maxFieldSectionSize));
    } else if (first & 0x10) {
      // §4.5.3 Indexed Field Line With Post-Base Index: 0001 index(4+).
      throw dynamicReference('Indexed Field Line With Post-Base Index');
    } else {
      // §4.5.5 Literal Field Line With Post-Base Name Reference: 0000 N index(3+).
      throw dynamicReference('Literal Field Line With Post-Base Name Reference');
    }
  }
  return fields;
}

/** Reads the primitives of one field section, refusing to run past its end. */
class SectionReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  done(): boolean {
    return this.offset >= this.bytes.length;
  }

  peek(): number {
    if (this.done()) throw truncated();
    return this.bytes[this.offset]!;
  }

  integer(prefixBits: number): number {
    const read = readPrefixInteger(this.bytes, this.offset, prefixBits, INTEGER_LIMIT);
    if (read === null) throw truncated();
    this.offset += read.size;
    return read.value;
  }

  /**
   * A string literal whose length has a `lengthBits`-bit prefix and whose H
   * flag is the bit above it. `room` is how many bytes the decoded string may
   * still take; a Huffman string decodes to at least 8/30 of its encoded size.
   */
  string(lengthBits: number, room: number, limit: number): string {
    const huffman = (this.peek() & (1 << lengthBits)) !== 0;
    const length = this.integer(lengthBits);
    if (length > this.bytes.length - this.offset) throw truncated();
    const minimumDecoded = huffman ? Math.floor((length * 8) / 30) : length;
    if (minimumDecoded > room) throw tooLarge(limit);
    const raw = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return (huffman ? huffmanDecode(raw) : Buffer.from(raw.buffer, raw.byteOffset, raw.length)).toString('latin1');
  }
}

function staticEntry(index: number): readonly [string, string] {
  const entry = QPACK_STATIC_TABLE[index];
  if (entry === undefined) {
    throw decompressionFailed(`static table index ${index} out of range 0-${QPACK_STATIC_TABLE.length - 1} (RFC 9204 §3.1)`);
  }
  return entry;
}

function decompressionFailed(message: string): Http3Error {
  return new Http3Error('QPACK_DECOMPRESSION_FAILED', message);
}

function dynamicReference(representation: string): Http3Error {
  return decompressionFailed(`${representation} references the dynamic table, whose capacity we set to 0 (RFC 9204 §2.2.3)`);
}

function truncated(): Http3Error {
  return decompressionFailed('field section ends inside a field line representation');
}

function tooLarge(limit: number): Http3Error {
  return new Http3Error('H3_EXCESSIVE_LOAD', `field section larger than ${limit} bytes (RFC 9114 §4.2.2)`, 'stream');
}
