/**
 * The chunked transfer coding (RFC 9112 §7.1) as node:http's ServerResponse
 * writes it when it does not know the length: size lines, chunk data, the
 * last chunk and a trailer section. Decoded back into content (views of
 * the written buffers, not copies) and trailer fields, for the transports
 * that frame content themselves.
 */
import { parseFieldLines, type FieldList } from './response-head.js';

export interface DecodedPieces {
  content: Buffer[];
  /** Set once the last chunk and the trailer section were read (empty when there were none). */
  trailers?: FieldList;
}

const LF = 0x0a;

export class ChunkedDecoder {
  private state: 'size' | 'data' | 'data-end' | 'trailers' | 'done' = 'size';
  /** The size line or trailer section read so far. */
  private text = '';
  private remaining = 0;

  push(chunk: Buffer): DecodedPieces {
    const pieces: DecodedPieces = { content: [] };
    let at = 0;
    while (at < chunk.length && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length - at);
        pieces.content.push(chunk.subarray(at, at + take));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'trailers') {
        this.text += chunk.toString('latin1', at);
        at = chunk.length;
        // The section ends with an empty line; with no trailer fields it is that line alone.
        if (this.text === '\r\n' || this.text.endsWith('\r\n\r\n')) {
          pieces.trailers = parseFieldLines(this.text);
          this.state = 'done';
        }
        continue;
      }
      const lineEnd = chunk.indexOf(LF, at);
      const end = lineEnd === -1 ? chunk.length : lineEnd;
      if (this.state === 'size') this.text += chunk.toString('latin1', at, end);
      at = end + 1;
      if (lineEnd === -1) continue;
      if (this.state === 'data-end') {
        this.state = 'size';
        continue;
      }
      // "1a2b\r" or "1a2b;ext\r" (chunk extensions are never written by node:http, but cost nothing to skip).
      const size = Number.parseInt(this.text, 16);
      this.text = '';
      if (size === 0) this.state = 'trailers';
      else {
        this.remaining = size;
        this.state = 'data';
      }
    }
    return pieces;
  }
}
