/**
 * Incremental UTF-8 validation (RFC 6455 §8.1: a text message that is not
 * valid UTF-8 fails the connection with 1007). Pieces of a message arrive
 * frame by frame and chunk by chunk; the validator fails on the first piece
 * that proves the text invalid instead of waiting for the whole message.
 *
 * The bulk of each piece goes through `buffer.isUtf8` (native and fast); only
 * the bytes of a code point cut at a piece boundary walk the byte-at-a-time
 * state machine below, built from Table 3-7 of the Unicode Standard
 * ("Well-Formed UTF-8 Byte Sequences").
 */
import { isUtf8 } from 'node:buffer';

export { isUtf8 };

export class Utf8Validator {
  /** Continuation bytes still expected for the current code point. */
  private need = 0;
  /** Bounds of the next continuation byte (narrower after E0, ED, F0, F4). */
  private lo = 0x80;
  private hi = 0xbf;

  /** True when no code point is left unfinished. */
  get complete(): boolean {
    return this.need === 0;
  }

  reset(): void {
    this.need = 0;
  }

  /** Feeds the next piece; false as soon as the text is proven invalid. */
  push(bytes: Uint8Array): boolean {
    const length = bytes.length;
    let start = 0;
    // Finish a code point left open by the previous piece.
    while (this.need !== 0 && start < length) {
      if (!this.step(bytes[start]!)) return false;
      start++;
    }
    if (start === length) return true;
    const tail = openTailStart(bytes, start);
    if (tail > start && !isUtf8(bytes.subarray(start, tail))) return false;
    for (let i = tail; i < length; i++) {
      if (!this.step(bytes[i]!)) return false;
    }
    return true;
  }

  /** One byte through the state machine of Unicode Table 3-7. */
  private step(byte: number): boolean {
    if (this.need !== 0) {
      if (byte < this.lo || byte > this.hi) return false;
      this.need--;
      this.lo = 0x80;
      this.hi = 0xbf;
      return true;
    }
    // A lead byte: ASCII never gets here, since a piece's open tail starts at
    // a byte of 0xC0 or more and `push` leaves the loop once a code point is whole.
    if (byte < 0xc2) return false; // stray continuation, or overlong C0/C1
    if (byte < 0xe0) {
      this.need = 1;
    } else if (byte < 0xf0) {
      this.need = 2;
      if (byte === 0xe0) this.lo = 0xa0; // no overlong 3-byte forms
      else if (byte === 0xed) this.hi = 0x9f; // no surrogates
    } else if (byte < 0xf5) {
      this.need = 3;
      if (byte === 0xf0) this.lo = 0x90; // no overlong 4-byte forms
      else if (byte === 0xf4) this.hi = 0x8f; // nothing above U+10FFFF
    } else {
      return false;
    }
    return true;
  }
}

/**
 * Index where a code point that the piece does not finish begins (the piece's
 * length when the last code point is whole). Looks back at most three bytes.
 */
function openTailStart(bytes: Uint8Array, start: number): number {
  const length = bytes.length;
  const stop = Math.max(start, length - 3);
  for (let i = length - 1; i >= stop; i--) {
    const byte = bytes[i]!;
    if (byte < 0x80) return length;
    if (byte >= 0xc0) {
      const size = byte < 0xe0 ? 2 : byte < 0xf0 ? 3 : 4;
      return i + size > length ? i : length;
    }
  }
  return length;
}
