/**
 * Reassembles data frames into messages (RFC 6455 §5.4) and checks what only
 * the sequence of frames shows: continuation rules, the fragment count, the
 * message size (before the payload is read), and UTF-8 of text (§8.1) as each
 * piece arrives.
 */
import { isUtf8 } from 'node:buffer';
import { ProtocolError } from './errors.js';
import { Opcode } from './frame.js';
import type { FramePiece } from './parser.js';
import { Utf8Validator } from './utf8.js';

export interface MessageLimits {
  maxMessageSize: number;
  maxFragments: number;
}

export interface MessageEvent {
  type: 'message';
  binary: boolean;
  data: Buffer;
}

export class MessageAssembler {
  private readonly limits: MessageLimits;
  private readonly utf8 = new Utf8Validator();
  private inProgress = false;
  private binary = false;
  private size = 0;
  private fragments = 0;
  private pieces: Buffer[] = [];

  constructor(limits: MessageLimits) {
    this.limits = limits;
  }

  /** Takes a piece of a data frame; returns the message it completes, if any. */
  add(piece: FramePiece): MessageEvent | null {
    const { header, data } = piece;
    if (piece.first) this.startFrame(header.opcode, header.length);
    if (!this.binary && !this.checkText(piece)) {
      throw new ProtocolError('INVALID_UTF8', 'text message is not valid UTF-8');
    }
    if (data.length !== 0) this.pieces.push(data);
    if (!piece.last || !header.fin) return null;
    if (!this.binary && !this.utf8.complete) {
      throw new ProtocolError('INVALID_UTF8', 'text message ends inside a UTF-8 sequence');
    }
    const message: MessageEvent = {
      type: 'message',
      binary: this.binary,
      data: this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces, this.size),
    };
    this.inProgress = false;
    this.pieces = [];
    return message;
  }

  private startFrame(opcode: number, length: number): void {
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
      this.size = 0;
      this.fragments = 0;
      this.utf8.reset();
    }
    if (++this.fragments > this.limits.maxFragments) {
      throw new ProtocolError('TOO_MANY_FRAGMENTS', `message of more than ${this.limits.maxFragments} fragments`);
    }
    this.size += length;
    if (this.size > this.limits.maxMessageSize) {
      throw new ProtocolError('MESSAGE_TOO_LARGE', `message of ${this.size} bytes or more, limit ${this.limits.maxMessageSize}`);
    }
  }

  /** A whole message in one piece takes the native check; anything else goes incrementally. */
  private checkText(piece: FramePiece): boolean {
    if (piece.first && piece.last && piece.header.fin && this.fragments === 1) return isUtf8(piece.data);
    return this.utf8.push(piece.data);
  }
}
