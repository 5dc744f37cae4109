/**
 * Reassembles data frames into messages (RFC 6455 §5.4) and checks what only
 * the sequence of frames shows: continuation rules, the fragment count, the
 * message size (before the payload is read), and UTF-8 of text (§8.1) as each
 * piece arrives.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { ProtocolError } from './errors.js';
import { Opcode } from './frame.js';
import type { FramePiece } from './parser.js';
import { Utf8Validator } from './utf8.js';

export interface MessageLimits {
  maxMessageSize: number;
  /** For compressed messages (RSV1), whose inflated size is checked while inflating. */
  maxCompressedSize: number;
  maxFragments: number;
}

export interface MessageEvent {
  type: 'message';
  binary: boolean;
  data: Buffer;
  /** RSV1 was set (RFC 7692 §6): `data` is still compressed, and text is checked once inflated. */
  compressed: boolean;
}

export class MessageAssembler {
  private readonly limits: MessageLimits;
  private readonly utf8 = new Utf8Validator();
  private inProgress = false;
  private binary = false;
  private compressed = false;
  private size = 0;
  private fragments = 0;
  private readonly pieces: Buffer[] = [];

  constructor(limits: MessageLimits) {
    this.limits = limits;
  }

  /** Takes a piece of a data frame; returns the message it completes, if any. */
  add(piece: FramePiece): MessageEvent | null {
    const { header, data } = piece;
    if (piece.first) this.startFrame(header.opcode, header.length, header.rsv);
    if (!this.binary && !this.compressed && !this.checkText(piece)) {
      throw new ProtocolError('INVALID_UTF8', 'text message is not valid UTF-8');
    }
    const whole = piece.last && header.fin;
    // A message in one piece is that piece: no list, no copy.
    if (whole && this.pieces.length === 0) return this.finish(data);
    if (data.length !== 0) this.pieces.push(data);
    if (!whole) return null;
    const pieces = this.pieces;
    const message = this.finish(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, this.size));
    pieces.length = 0;
    return message;
  }

  private finish(data: Buffer): MessageEvent {
    if (!this.binary && !this.compressed && !this.utf8.complete) {
      throw new ProtocolError('INVALID_UTF8', 'text message ends inside a UTF-8 sequence');
    }
    this.inProgress = false;
    return { type: 'message', binary: this.binary, compressed: this.compressed, data };
  }

  private startFrame(opcode: number, length: number, rsv: number): void {
    if (opcode === Opcode.CONTINUATION) {
      if (!this.inProgress) {
        throw new ProtocolError('UNEXPECTED_CONTINUATION', 'continuation frame without a message in progress');
      }
    } else {
      if (this.inProgress) {
        throw new ProtocolError('EXPECTED_CONTINUATION', 'new data frame inside a fragmented message');
      }
      this.inProgress = true;
      this.binary = opcode === Opcode.BINARY;
      this.compressed = rsv !== 0;
      this.size = 0;
      this.fragments = 0;
      this.utf8.reset();
    }
    if (++this.fragments > this.limits.maxFragments) {
      throw new ProtocolError('TOO_MANY_FRAGMENTS', `message of more than ${this.limits.maxFragments} fragments`);
    }
    this.size += length;
    const limit = this.compressed ? this.limits.maxCompressedSize : this.limits.maxMessageSize;
    if (this.size > limit) {
      throw new ProtocolError('MESSAGE_TOO_LARGE', `message of ${this.size} bytes or more, limit ${limit}`);
    }
  }

  /** A whole message in one piece takes the native check; anything else goes incrementally. */
  private checkText(piece: FramePiece): boolean {
    if (piece.first && piece.last && piece.header.fin && this.fragments === 1) return isUtf8(piece.data);
    return this.utf8.push(piece.data);
  }
}
