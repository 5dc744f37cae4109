/**
 * The WebSocket protocol as a state machine without I/O (RFC 6455 §5–§7).
 *
 * Bytes in (`receiveData`, `receiveEof`) become events out
 * (`eventsReceived`); calls (`sendText`, `ping`, `close`, …) become bytes out
 * (`dataToSend`). `outputEnded` tells the transport to end its write side once
 * those bytes are written. Each transport does its own handshake and then
 * builds this object in the OPEN state.
 */
import { Buffer } from 'node:buffer';
import { encodeClosePayload, parseClosePayload, type CloseInfo } from './close.js';
import { PROTOCOL_STATE, type CloseState, type ProtocolState } from './close-state.js';
import { CloseCode, ProtocolError, UsageError } from './errors.js';
import { MAX_CONTROL_PAYLOAD, Opcode } from './frame.js';
import { randomMaskSource, type MaskSource } from './mask-source.js';
import { MessageAssembler, type MessageEvent } from './message.js';
import { FrameParser, type FramePiece } from './parser.js';
import { compressedBound } from './deflate-rules.js';
import { encodeFrame, encodeTextFrame } from './serializer.js';

export type Role = 'client' | 'server';

export interface ProtocolOptions {
  role: Role;
  /** Largest message accepted, in bytes; checked on each frame header. Default 64 MiB. */
  maxMessageSize?: number;
  /** Largest frame accepted, in bytes. Default: maxMessageSize. */
  maxFrameSize?: number;
  /** Most frames one message may span. Default 131072. */
  maxFragments?: number;
  /** Answer each ping with a pong of the same payload (§5.5.2). Default true. */
  autoPong?: boolean;
  /** Masking keys for a client's frames. Default: pooled crypto-random bytes. */
  maskSource?: MaskSource;
  /** permessage-deflate was negotiated: RSV1 marks compressed messages both ways (RFC 7692 §6). */
  perMessageDeflate?: boolean;
  /**
   * Answer the peer's close frame, and send a failure's close frame, in the
   * next dataToSend(). Default true. An owner that still has work ahead of
   * the answer (messages inflating, sends being compressed) sets it false
   * and answers itself with close() or fail() when that work is done.
   */
  answerClose?: boolean;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
/**
 * Each non-empty fragment costs a reference until the message is whole;
 * 2^17 bounds that while letting through Autobahn's largest case (9.3.1:
 * 4 MiB in 64-byte fragments).
 */
export const DEFAULT_MAX_FRAGMENTS = 131072;

export type ProtocolEvent =
  | MessageEvent
  | { type: 'ping'; data: Buffer }
  | { type: 'pong'; data: Buffer }
  /** The peer's close frame. */
  | { type: 'close'; code: number; reason: string }
  /** The peer broke the protocol; the connection has been failed with `error.closeCode`. */
  | { type: 'error'; error: ProtocolError };

type Payload = string | Uint8Array;

interface Reader {
  parser: FrameParser;
  assembler: MessageAssembler;
}

const EMPTY = Buffer.alloc(0);
/**
 * The empty event and output lists, shared: the first item of a list then
 * makes it as a one-item array, where pushing onto a fresh `[]` would make
 * room for 17 (about 130 B more per message).
 */
const NO_EVENTS = Object.freeze([]) as readonly ProtocolEvent[] as ProtocolEvent[];
const NOTHING_TO_SEND = Object.freeze([]) as readonly Buffer[] as Buffer[];

export class Protocol {
  readonly role: Role;
  private readonly autoPong: boolean;
  private readonly answerClose: boolean;
  private readonly perMessageDeflate: boolean;
  private readonly maxMessageSizeValue: number;
  private readonly mask: MaskSource | undefined;
  private readonly maxFrameSize: number;
  private readonly maxFragments: number;
  private readerValue: Reader | undefined;
  private events: ProtocolEvent[] = NO_EVENTS;
  private output: Buffer[] = NOTHING_TO_SEND;
  private closeStateValue: CloseState = 'open';
  /** The close code owed while `failing`. */
  private failureCode = CloseCode.PROTOCOL_ERROR as number;
  /** The peer's stream ended (a client's output ends with it after the handshake, §7.1.1). */
  private peerEnded = false;
  /** A fragmented message is being sent: only continuations may follow. */
  private sendingFragments = false;
  private closeSentValue: CloseInfo | undefined;
  private closeReceivedValue: CloseInfo | undefined;

  constructor(options: ProtocolOptions) {
    this.role = options.role;
    this.autoPong = options.autoPong ?? true;
    this.answerClose = options.answerClose ?? true;
    this.perMessageDeflate = options.perMessageDeflate ?? false;
    this.mask = options.role === 'client' ? (options.maskSource ?? randomMaskSource) : undefined;
    const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxMessageSizeValue = maxMessageSize;
    this.maxFrameSize = options.maxFrameSize ?? maxMessageSize;
    this.maxFragments = options.maxFragments ?? DEFAULT_MAX_FRAGMENTS;
  }

  /**
   * The reading side, made when the first bytes arrive: a connection that
   * stays idle holds no parser state (memory per idle connection).
   */
  private reader(): Reader {
    if (this.readerValue !== undefined) return this.readerValue;
    // Compressed frames may be a little larger than the message they carry; its inflated size is checked as it inflates.
    const deflate = this.perMessageDeflate;
    const parser = new FrameParser({
      expectMasked: this.role === 'server',
      maxFrameSize: deflate ? compressedBound(this.maxFrameSize) : this.maxFrameSize,
      allowRsv1: deflate,
    });
    const assembler = new MessageAssembler({
      maxMessageSize: this.maxMessageSizeValue,
      maxCompressedSize: compressedBound(this.maxMessageSizeValue),
      maxFragments: this.maxFragments,
    });
    return (this.readerValue = { parser, assembler });
  }

  /** CLOSED once the peer's stream ended, even with a close frame still owed to it. */
  get state(): ProtocolState {
    return this.peerEnded ? 'CLOSED' : PROTOCOL_STATE[this.closeStateValue];
  }

  get closeState(): CloseState {
    return this.closeStateValue;
  }

  /** Input after the peer's close frame, after EOF, or after a failure is discarded. */
  private get inputEnded(): boolean {
    return this.closeStateValue !== 'open' && this.closeStateValue !== 'closedByUs';
  }

  /**
   * The transport should end its write side after writing `dataToSend()`:
   * never while a close frame is owed; after the handshake, a server at
   * once and a client once the server ended (§7.1.1).
   */
  get outputEnded(): boolean {
    switch (this.closeStateValue) {
      case 'acknowledgedByPeer':
      case 'acknowledgedByUs':
        return this.role === 'server' || this.peerEnded;
      case 'failed':
      case 'ended':
        return true;
      default:
        return false;
    }
  }

  /** The close frame this side sent, if any. */
  get closeSent(): CloseInfo | undefined {
    return this.closeSentValue;
  }

  /** The close frame the peer sent, if any. */
  get closeReceived(): CloseInfo | undefined {
    return this.closeReceivedValue;
  }

  /** True when this side sent its close frame before the peer's arrived. */
  get closeSentFirst(): boolean {
    const state = this.closeStateValue;
    if (state === 'closedByUs' || state === 'acknowledgedByPeer') return true;
    // A failure, or an end of stream, after this side's close and before the peer's.
    return (state === 'failed' || state === 'ended') && this.closeSentValue !== undefined && this.closeReceivedValue === undefined;
  }

  /**
   * The WebSocket Connection Close Code (§7.1.5): the code of the peer's
   * close frame (1005 if it had none), or 1006 when none arrived.
   */
  get closeCode(): number {
    return this.closeReceivedValue?.code ?? CloseCode.ABNORMAL;
  }

  /** The WebSocket Connection Close Reason (§7.1.6). */
  get closeReason(): string {
    return this.closeReceivedValue?.reason ?? '';
  }

  /** Feeds bytes from the transport. The protocol owns the chunk from now on. */
  receiveData(chunk: Uint8Array): void {
    if (this.inputEnded) return;
    const { parser, assembler } = this.reader();
    parser.push(chunk);
    try {
      let piece: FramePiece | null;
      while (!this.inputEnded && (piece = parser.next()) !== null) {
        if (piece.header.opcode >= Opcode.CLOSE) {
          this.receiveControl(piece.header.opcode, piece.data);
        } else {
          const message = assembler.add(piece);
          if (message !== null) this.addEvent(message);
        }
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.addEvent({ type: 'error', error });
      // This side's close went already: nothing is owed, the connection fails now.
      if (this.closeSentValue !== undefined) return this.fail(error.closeCode);
      // Nothing after the bad frame is read. Its close is owed, so that messages before it may still be answered.
      this.failureCode = error.closeCode;
      this.closeStateValue = 'failing';
    }
  }

  /** The transport's read side ended (TCP FIN, END_STREAM, QUIC FIN). */
  receiveEof(): void {
    this.peerEnded = true;
    // A close frame owed is still sent: it was owed before the end.
    if (this.closeStateValue === 'open' || this.closeStateValue === 'closedByUs') this.closeStateValue = 'ended';
  }

  /** Largest message accepted, in bytes. */
  get maxMessageSize(): number {
    return this.maxMessageSizeValue;
  }

  /** Events since the last call. */
  eventsReceived(): readonly ProtocolEvent[] {
    const events = this.events;
    this.events = NO_EVENTS;
    return events;
  }

  private addEvent(event: ProtocolEvent): void {
    if (this.events.length === 0) this.events = [event];
    else this.events.push(event);
  }

  /** Queues frames for dataToSend(); `frames` is a fresh array (encodeFrame's), which the output may become. */
  private addOutput(frames: Buffer[]): void {
    if (this.output.length === 0) this.output = frames;
    else for (const frame of frames) this.output.push(frame);
  }

  /** Bytes to write since the last call, in order. */
  dataToSend(): readonly Buffer[] {
    // Whatever was sent in answer to the messages before the close (in the same chunk, say) goes out ahead of it.
    if (this.answerClose) {
      if (this.closeStateValue === 'failing') this.fail(this.failureCode);
      else if (this.closeStateValue === 'closedByPeer') this.close();
    }
    const output = this.output;
    this.output = NOTHING_TO_SEND;
    return output;
  }

  /**
   * Sends a text message, or its first fragment when `fin` is false.
   * `compressed` sets RSV1: `data` is already compressed (RFC 7692 §6).
   */
  sendText(data: Payload, fin = true, compressed = false): void {
    this.sendData(Opcode.TEXT, data, fin, compressed);
  }

  /** Sends a binary message, or its first fragment when `fin` is false. */
  sendBinary(data: Payload, fin = true, compressed = false): void {
    this.sendData(Opcode.BINARY, data, fin, compressed);
  }

  /**
   * Sends whole unmasked frames framed elsewhere (a PreparedMessage): the
   * same bytes can go to many server-side connections (§5.1: servers do not
   * mask). Not between the fragments of a message.
   */
  sendFrames(frames: readonly Buffer[]): void {
    this.assertCanSend();
    if (this.role !== 'server') throw new UsageError('INVALID_STATE', 'only a server sends prepared frames: a client masks each frame (RFC 6455 §5.3)');
    if (this.sendingFragments) throw new UsageError('INVALID_STATE', 'a fragmented message is in progress: send its continuations first');
    this.addOutput(frames.slice());
  }

  /** Sends the next fragment of the message in progress (§5.4). */
  sendContinuation(data: Payload, fin: boolean): void {
    this.sendData(Opcode.CONTINUATION, data, fin, false);
  }

  ping(data: Payload = EMPTY): void {
    this.sendControl(Opcode.PING, data);
  }

  pong(data: Payload = EMPTY): void {
    this.sendControl(Opcode.PONG, data);
  }

  /**
   * Starts the closing handshake (§7.1.2), or answers the peer's close.
   * Without a code the close frame has no body, which the peer reads as
   * 1005; an answer without a code echoes the peer's (§5.5.1). Does
   * nothing once a close frame was sent, a failure's close is owed, or the
   * output ended: a close is sent exactly once.
   */
  close(code?: number, reason?: string): void {
    const body = encodeClosePayload(code, reason);
    const state = this.closeStateValue;
    if (state === 'open') {
      this.sendClose(body);
      this.closeStateValue = 'closedByUs';
    } else if (state === 'closedByPeer') {
      const echo = this.closeReceivedValue!.code;
      this.sendClose(code !== undefined || echo === CloseCode.NO_STATUS ? body : encodeClosePayload(echo));
      this.closeStateValue = 'acknowledgedByUs';
    }
  }

  /**
   * Fails the connection (§7.1.7): sends a close frame with `code` unless
   * one was sent or the output ended, discards further input and ends the
   * output.
   */
  fail(code: number, reason?: string): void {
    const body = encodeClosePayload(code, reason);
    if (this.closeSentValue === undefined && !this.outputEnded) this.sendClose(body);
    this.closeStateValue = 'failed';
  }

  private receiveControl(opcode: number, data: Buffer): void {
    if (opcode === Opcode.PING) {
      this.addEvent({ type: 'ping', data });
      // §5.5.3: no pong once this side has sent its close frame.
      if (this.autoPong && this.closeSentValue === undefined) this.pong(data);
    } else if (opcode === Opcode.PONG) {
      this.addEvent({ type: 'pong', data });
    } else {
      this.receiveClose(data);
    }
  }

  /** §5.5.1: nothing after a close frame is read; this side answers it unless its own close went first. */
  private receiveClose(data: Buffer): void {
    const info = parseClosePayload(data);
    this.closeReceivedValue = info;
    this.addEvent({ type: 'close', code: info.code, reason: info.reason });
    this.closeStateValue = this.closeStateValue === 'closedByUs' ? 'acknowledgedByPeer' : 'closedByPeer';
  }

  private sendData(opcode: number, data: Payload, fin: boolean, compressed: boolean): void {
    this.assertCanSend();
    if (compressed && !this.perMessageDeflate) throw new UsageError('INVALID_STATE', 'permessage-deflate was not negotiated');
    if (opcode === Opcode.CONTINUATION) {
      if (!this.sendingFragments) {
        throw new UsageError('INVALID_STATE', 'no fragmented message in progress to continue');
      }
    } else if (this.sendingFragments) {
      throw new UsageError('INVALID_STATE', 'a fragmented message is in progress: send its continuations first');
    }
    this.sendingFragments = !fin;
    this.write(opcode, data, fin, compressed ? 4 : 0);
  }

  private sendControl(opcode: number, data: Payload): void {
    this.assertCanSend();
    const length = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (length > MAX_CONTROL_PAYLOAD) {
      throw new UsageError('INVALID_ARGUMENT', `control frame payload of ${length} bytes, at most 125 allowed`);
    }
    this.write(opcode, data, true);
  }

  private sendClose(body: Buffer): void {
    this.closeSentValue = parseClosePayload(body);
    this.write(Opcode.CLOSE, body, true);
  }

  private write(opcode: number, data: Payload, fin: boolean, rsv = 0): void {
    const options = { fin, rsv, mask: this.mask };
    this.addOutput(typeof data === 'string' ? encodeTextFrame(opcode, data, options) : encodeFrame(opcode, data, options));
  }

  private assertCanSend(): void {
    if (this.closeSentValue !== undefined || this.outputEnded) {
      throw new UsageError('INVALID_STATE', `cannot send: the connection is ${this.state}`);
    }
  }
}
