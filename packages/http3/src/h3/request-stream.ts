/**
 * One request stream (RFC 9114 §4.1, §6.1), sans I/O: encoders for what we
 * send, and a decoder that turns the peer's bytes into message events.
 *
 * A server decodes a request; a client decodes a response, with any interim
 * (1xx) responses before it. The frame sequence is HEADERS, DATA*, and an
 * optional trailing HEADERS (§4.1); unknown frame types may come anywhere and
 * are skipped (§9).
 */
import { Http3Error } from './errors.js';
import type { H3ErrorName } from './errors.js';
import { FrameReader } from './frame-reader.js';
import type { FrameEvent } from './frame-reader.js';
import { FrameType, encodeDataFrame, encodeDataFrameHeader, encodeHeadersFrame, isHttp2ReservedFrameType } from './frames.js';
import { decodeFieldSection, encodeFieldSection } from './qpack.js';
import type { Field } from './qpack.js';
import { contentLengthOf, validateRequestHeaders, validateResponseHeaders, validateTrailers } from './message-validation.js';
import type { RequestHead, ResponseHead } from './message-validation.js';
import type { Role } from './control-stream.js';

// --- encoding ---------------------------------------------------------------

/** A HEADERS frame carrying `fields`, QPACK-encoded with the static table only. */
export function encodeHeaders(fields: readonly (readonly [string, string])[]): Buffer {
  return encodeHeadersFrame(encodeFieldSection(fields));
}

/** A DATA frame (copies the payload). */
export function encodeData(payload: Uint8Array): Buffer {
  return encodeDataFrame(payload);
}

/** The header of a DATA frame: write it, then the payload itself, uncopied. */
export function encodeDataHeader(length: number): Buffer {
  return encodeDataFrameHeader(length);
}

// --- decoding ---------------------------------------------------------------

export type RequestStreamEvent =
  /** Server: the request header section, validated. */
  | { type: 'request'; head: RequestHead; fields: Field[] }
  /** Client: an interim (1xx) response; the final one is still to come. */
  | { type: 'informational'; head: ResponseHead; fields: Field[] }
  /** Client: the final response header section, validated. */
  | { type: 'response'; head: ResponseHead; fields: Field[] }
  /** Content, as it arrives (views of the pushed chunks). */
  | { type: 'data'; data: Buffer }
  | { type: 'trailers'; fields: Field[] }
  /** The peer ended the stream (FIN) after a complete message. */
  | { type: 'end' }
  /** Last event: reset the stream (scope 'stream') or close the connection (scope 'connection') with `error.wireCode`. */
  | { type: 'error'; error: Http3Error };

export interface RequestStreamDecoderOptions {
  /** Our role: a server decodes a request, a client a response. */
  role: Role;
  /** Our SETTINGS_MAX_FIELD_SECTION_SIZE (RFC 9114 §4.2.2). */
  maxFieldSectionSize: number;
  /**
   * The largest HEADERS frame payload we buffer. Default: twice
   * maxFieldSectionSize plus 1024, room for any sensibly encoded section of
   * the allowed size. A larger frame resets the stream with H3_EXCESSIVE_LOAD.
   */
  maxHeadersFrameSize?: number;
  /** Client: the method of our request (a response to HEAD or CONNECT has no content to count, RFC 9110 §8.6). */
  requestMethod?: string;
}

type Phase = 'headers' | 'body' | 'after-trailers' | 'done';

export class RequestStreamDecoder {
  private readonly role: Role;
  private readonly maxFieldSectionSize: number;
  private readonly requestMethod: string | undefined;
  private readonly frames: FrameReader;
  private phase: Phase = 'headers';
  /** A CONNECT exchange allows only DATA after its header section (RFC 9114 §4.4). */
  private isConnect = false;
  /** The content-length to hold the DATA to, if it applies (RFC 9114 §4.1.2). */
  private expectedLength: number | undefined;
  private receivedLength = 0;
  private failure: Http3Error | undefined;

  constructor(options: RequestStreamDecoderOptions) {
    this.role = options.role;
    this.maxFieldSectionSize = options.maxFieldSectionSize;
    this.requestMethod = options.requestMethod;
    this.isConnect = options.requestMethod === 'CONNECT';
    this.frames = new FrameReader({
      maxPayloadSize: options.maxHeadersFrameSize ?? options.maxFieldSectionSize * 2 + 1024,
      oversizeScope: 'stream',
    });
  }

  /** The error that ended decoding, if any. */
  get error(): Http3Error | undefined {
    return this.failure;
  }

  /** Bytes of the stream, and whether the peer ended it (FIN) after them. */
  receive(chunk: Uint8Array, fin = false): RequestStreamEvent[] {
    if (this.failure || this.phase === 'done') return [];
    const events: RequestStreamEvent[] = [];
    try {
      this.frames.push(chunk);
      if (fin) this.frames.end();
      for (let event = this.frames.next(); event !== null; event = this.frames.next()) {
        const out = this.handle(event);
        if (out) events.push(out);
      }
    } catch (error) {
      this.failure = error as Http3Error;
      events.push({ type: 'error', error: this.failure });
    }
    return events;
  }

  private handle(event: FrameEvent): RequestStreamEvent | undefined {
    switch (event.kind) {
      case 'header':
        this.checkFrameType(event.type);
        if (event.type === FrameType.DATA) this.countContent(event.length);
        return undefined;
      case 'data':
        return { type: 'data', data: event.chunk };
      case 'frame':
        // Only HEADERS gets here: checkFrameType refused every other buffered type.
        return this.headerSection(decodeFieldSection(event.payload, { maxFieldSectionSize: this.maxFieldSectionSize }));
      case 'end':
        return this.end();
    }
  }

  private checkFrameType(type: number): void {
    switch (type) {
      case FrameType.DATA:
        if (this.phase === 'headers') throw unexpected('DATA before the header section (RFC 9114 §4.1)');
        if (this.phase === 'after-trailers') throw unexpected('DATA after the trailer section (RFC 9114 §4.1)');
        return;
      case FrameType.HEADERS:
        if (this.phase === 'after-trailers') throw unexpected('HEADERS after the trailer section (RFC 9114 §4.1)');
        if (this.phase === 'body' && this.isConnect) throw unexpected('HEADERS after the header section of CONNECT (RFC 9114 §4.4)');
        return;
      case FrameType.PUSH_PROMISE:
        // §7.2.5: a server never accepts one; a client of ours allowed no push id.
        if (this.role === 'server') throw unexpected('PUSH_PROMISE received by a server (RFC 9114 §7.2.5)');
        throw new Http3Error('H3_ID_ERROR', 'PUSH_PROMISE, but we sent no MAX_PUSH_ID (RFC 9114 §7.2.5)');
      case FrameType.SETTINGS:
      case FrameType.GOAWAY:
      case FrameType.MAX_PUSH_ID:
      case FrameType.CANCEL_PUSH:
        throw unexpected(`frame type 0x${type.toString(16)} on a request stream (RFC 9114 §7.2)`);
      default:
        if (isHttp2ReservedFrameType(type)) throw unexpected(`HTTP/2 frame type 0x${type.toString(16)} (RFC 9114 §7.2.8)`);
    }
  }

  private headerSection(fields: Field[]): RequestStreamEvent {
    if (this.phase === 'body') {
      this.phase = 'after-trailers';
      const trailers = validateTrailers(fields);
      if (!trailers.ok) throw trailers.error;
      return { type: 'trailers', fields };
    }
    if (this.role === 'server') {
      const request = validateRequestHeaders(fields);
      if (!request.ok) throw request.error;
      this.isConnect = request.value.method === 'CONNECT';
      this.startBody(this.isConnect ? undefined : contentLengthOf(request.value.fields));
      return { type: 'request', head: request.value, fields };
    }
    const response = validateResponseHeaders(fields);
    if (!response.ok) throw response.error;
    const { status } = response.value;
    if (status < 200) return { type: 'informational', head: response.value, fields };
    // RFC 9110 §8.6, §9.3.6: no content to count after HEAD, 204, 304, or a 2xx to CONNECT.
    const noContent = this.requestMethod === 'HEAD' || status === 204 || status === 304 || (this.isConnect && status < 300);
    if (this.isConnect && status >= 300) this.isConnect = false;
    this.startBody(noContent ? undefined : contentLengthOf(response.value.fields));
    return { type: 'response', head: response.value, fields };
  }

  private startBody(contentLength: number | undefined | string): void {
    if (typeof contentLength === 'string') throw malformed(contentLength);
    this.expectedLength = contentLength;
    this.phase = 'body';
  }

  /** §4.1.2: DATA beyond the declared content-length makes the message malformed, found as early as the frame header. */
  private countContent(length: number): void {
    this.receivedLength += length;
    if (this.expectedLength !== undefined && this.receivedLength > this.expectedLength) {
      throw malformed(`more content than content-length ${this.expectedLength}`);
    }
  }

  private end(): RequestStreamEvent {
    if (this.phase === 'headers') {
      // §4.1: a server SHOULD answer a request stream that ends before the request with H3_REQUEST_INCOMPLETE.
      const code: H3ErrorName = this.role === 'server' ? 'H3_REQUEST_INCOMPLETE' : 'H3_MESSAGE_ERROR';
      throw new Http3Error(code, 'stream ended before a complete header section (RFC 9114 §4.1)', 'stream');
    }
    if (this.expectedLength !== undefined && this.receivedLength !== this.expectedLength) {
      throw malformed(`content of ${this.receivedLength} bytes, but content-length ${this.expectedLength}`);
    }
    this.phase = 'done';
    return { type: 'end' };
  }
}

function unexpected(message: string): Http3Error {
  return new Http3Error('H3_FRAME_UNEXPECTED', message);
}

function malformed(reason: string): Http3Error {
  return new Http3Error('H3_MESSAGE_ERROR', `malformed message: ${reason} (RFC 9114 §4.1.2)`);
}
