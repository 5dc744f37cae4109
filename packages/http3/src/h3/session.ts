/**
 * The connection-level state of HTTP/3 (RFC 9114 §6.2), sans I/O: it makes
 * the bytes of our unidirectional streams, and reads the peer's, stream by
 * stream, as the caller hands them over with the QUIC stream id. It never
 * calls out; every method returns the events it caused.
 *
 * After a connection error (the last event, also kept in `error`), the caller
 * closes the QUIC connection with `error.wireCode`, and the session ignores
 * all further input.
 */
import { ControlStreamReader } from './control-stream.js';
import type { Role } from './control-stream.js';
import { Http3Error, H3ErrorCode } from './errors.js';
import { QpackDecoderStreamReader, QpackEncoderStreamReader } from './qpack-streams.js';
import { encodeSettingsFrame, greaseSettingId } from './settings.js';
import type { Http3Settings, LocalSettings } from './settings.js';
import { StreamType, isClientInitiated } from './stream-types.js';
import { readVarint } from './varint.js';

export type { Role } from './control-stream.js';

export interface SessionOptions {
  role: Role;
  /** Our limit on a decoded field section, advertised as SETTINGS_MAX_FIELD_SECTION_SIZE. Default 65536. */
  maxFieldSectionSize?: number;
  /** Advertise SETTINGS_ENABLE_CONNECT_PROTOCOL = 1 (RFC 9220). Default true. */
  enableConnectProtocol?: boolean;
  /** Open our QPACK encoder and decoder streams (see `localStreams`). Default true. */
  openQpackStreams?: boolean;
  /** Send a reserved setting (RFC 9114 §7.2.4.1 SHOULD). Default true. */
  greaseSetting?: boolean;
  /** The randomness for reserved values; default Math.random. */
  random?: () => number;
  /** The largest control-stream frame payload we buffer. Default 16384. */
  maxControlFramePayload?: number;
}

export type SessionEvent =
  /** The peer's SETTINGS arrived (also kept in `peerSettings`). */
  | { type: 'settings'; settings: Http3Settings }
  /**
   * The peer's GOAWAY (§5.2): from a server, the first request stream id it
   * will not process; from a client, a push id. `id` is `exactId` as a
   * number, rounded above 2^53 (a first-phase GOAWAY may carry 2^62-4), which
   * still orders correctly against any stream id in use.
   */
  | { type: 'goaway'; id: number; exactId: bigint }
  /**
   * A stream of a type we do not know (including reserved 0x1f * N + 0x21
   * types): its data is discarded; the caller should stop reading it
   * (STOP_SENDING) with `wireCode`, H3_STREAM_CREATION_ERROR (§6.2).
   */
  | { type: 'abort-reading'; streamId: number; streamType: number; code: 'H3_STREAM_CREATION_ERROR'; wireCode: number }
  /** Close the QUIC connection with `error.wireCode`. */
  | { type: 'connection-error'; error: Http3Error };

type UniStream =
  | { kind: 'type-pending'; bytes: Buffer }
  | { kind: 'control'; reader: ControlStreamReader }
  | { kind: 'qpack-encoder'; reader: QpackEncoderStreamReader }
  | { kind: 'qpack-decoder'; reader: QpackDecoderStreamReader }
  | { kind: 'ignored' };

export const DEFAULT_MAX_FIELD_SECTION_SIZE = 65536;
const DEFAULT_MAX_CONTROL_FRAME_PAYLOAD = 16384;

export class Http3Session {
  readonly role: Role;
  /** What we advertise in our SETTINGS. */
  readonly localSettings: LocalSettings;
  private readonly openQpackStreams: boolean;
  private readonly maxControlFramePayload: number;
  private readonly streams = new Map<number, UniStream>();
  private seenControl = false;
  private seenEncoder = false;
  private seenDecoder = false;
  private settings: Http3Settings | undefined;
  private lastGoaway: bigint | undefined;
  private failure: Http3Error | undefined;

  constructor(options: SessionOptions) {
    this.role = options.role;
    this.openQpackStreams = options.openQpackStreams ?? true;
    this.maxControlFramePayload = options.maxControlFramePayload ?? DEFAULT_MAX_CONTROL_FRAME_PAYLOAD;
    this.localSettings = {
      maxFieldSectionSize: options.maxFieldSectionSize ?? DEFAULT_MAX_FIELD_SECTION_SIZE,
      enableConnectProtocol: options.enableConnectProtocol ?? true,
    };
    if (options.greaseSetting ?? true) {
      const random = options.random ?? Math.random;
      this.localSettings.grease = { id: greaseSettingId(random), value: Math.floor(random() * 0x40) };
    }
  }

  /** The peer's settings, once its SETTINGS frame has arrived. */
  get peerSettings(): Http3Settings | undefined {
    return this.settings;
  }

  /** The id of the last GOAWAY the peer sent, exact. */
  get goawayId(): bigint | undefined {
    return this.lastGoaway;
  }

  /** The connection error, once one happened. */
  get error(): Http3Error | undefined {
    return this.failure;
  }

  /**
   * The bytes to write, each on a unidirectional stream of its own opened at
   * the start of the connection (§6.2): the control stream (type 0x00, then
   * our SETTINGS; never to be closed, §6.2.1), and, unless disabled, QPACK's
   * encoder (0x02) and decoder (0x03) streams.
   *
   * The QPACK streams are optional for us (RFC 9204 §4.2: an endpoint MAY
   * skip the encoder stream when it does not use the dynamic table, and the
   * decoder stream when its capacity is 0). We open them by default anyway:
   * they cost the peer nothing (it must allow three unidirectional streams,
   * RFC 9114 §6.2), and some implementations have been known to wait for
   * them. They carry nothing after their type: our encoder never inserts,
   * and with capacity 0 our decoder has nothing to acknowledge (Stream
   * Cancellation MAY be omitted, RFC 9204 §4.4.2).
   */
  localStreams(): { control: Buffer; qpackEncoder?: Buffer; qpackDecoder?: Buffer } {
    const control = Buffer.concat([Buffer.from([StreamType.CONTROL]), encodeSettingsFrame(this.localSettings)]);
    if (!this.openQpackStreams) return { control };
    return { control, qpackEncoder: Buffer.from([StreamType.QPACK_ENCODER]), qpackDecoder: Buffer.from([StreamType.QPACK_DECODER]) };
  }

  /**
   * A new bidirectional stream opened by the peer. A client refuses any:
   * HTTP/3 has no server-initiated bidirectional streams (§6.1).
   */
  receiveBidirectional(streamId: number): SessionEvent[] {
    if (this.failure) return [];
    if (this.role === 'client' && !isClientInitiated(streamId)) {
      return this.fail(new Http3Error('H3_STREAM_CREATION_ERROR', `server-initiated bidirectional stream ${streamId} (RFC 9114 §6.1)`));
    }
    return [];
  }

  /** Bytes (and perhaps the end, FIN) of a unidirectional stream the peer opened. */
  receiveUnidirectional(streamId: number, data: Uint8Array, fin = false): SessionEvent[] {
    if (this.failure) return [];
    const events: SessionEvent[] = [];
    let stream = this.streams.get(streamId) ?? { kind: 'type-pending', bytes: Buffer.alloc(0) };
    let rest: Uint8Array = data;
    if (stream.kind === 'type-pending') {
      const bytes = stream.bytes.length === 0 ? Buffer.from(data.buffer, data.byteOffset, data.length) : Buffer.concat([stream.bytes, data]);
      const type = readVarint(bytes, 0);
      if (type === null) {
        // §6.2: a stream may end before its type; that is no error.
        if (fin) this.streams.delete(streamId);
        else this.streams.set(streamId, { kind: 'type-pending', bytes: Buffer.from(bytes) }); // a copy: at most 7 bytes
        return events;
      }
      stream = this.open(streamId, type.value, events);
      if (this.failure) return events;
      this.streams.set(streamId, stream);
      rest = bytes.subarray(type.size);
    }
    this.read(stream, rest, events);
    if (fin && !this.failure) this.closed(streamId, stream, events, 'ended');
    return events;
  }

  /** The peer reset a unidirectional stream (RESET_STREAM). */
  resetUnidirectional(streamId: number): SessionEvent[] {
    if (this.failure) return [];
    const stream = this.streams.get(streamId);
    const events: SessionEvent[] = [];
    if (stream) this.closed(streamId, stream, events, 'was reset');
    return events;
  }

  private open(streamId: number, type: number, events: SessionEvent[]): UniStream {
    switch (type) {
      case StreamType.CONTROL:
        if (this.seenControl) return this.failOpen(events, 'a second control stream (RFC 9114 §6.2.1)');
        this.seenControl = true;
        return { kind: 'control', reader: new ControlStreamReader({ role: this.role, maxFramePayload: this.maxControlFramePayload }) };
      case StreamType.PUSH:
        if (this.role === 'server') return this.failOpen(events, 'a push stream opened by a client (RFC 9114 §6.2.2)');
        // §4.6: a client that never sent MAX_PUSH_ID (ours never does) refuses any push stream.
        events.push(...this.fail(new Http3Error('H3_ID_ERROR', 'a push stream, but we sent no MAX_PUSH_ID (RFC 9114 §4.6)')));
        return { kind: 'ignored' };
      case StreamType.QPACK_ENCODER:
        if (this.seenEncoder) return this.failOpen(events, 'a second QPACK encoder stream (RFC 9204 §4.2)');
        this.seenEncoder = true;
        return { kind: 'qpack-encoder', reader: new QpackEncoderStreamReader() };
      case StreamType.QPACK_DECODER:
        if (this.seenDecoder) return this.failOpen(events, 'a second QPACK decoder stream (RFC 9204 §4.2)');
        this.seenDecoder = true;
        return { kind: 'qpack-decoder', reader: new QpackDecoderStreamReader() };
      default:
        // §6.2, §9: unknown and reserved types are discarded, never a connection error.
        events.push({
          type: 'abort-reading',
          streamId,
          streamType: type,
          code: 'H3_STREAM_CREATION_ERROR',
          wireCode: H3ErrorCode.H3_STREAM_CREATION_ERROR,
        });
        return { kind: 'ignored' };
    }
  }

  private failOpen(events: SessionEvent[], what: string): UniStream {
    events.push(...this.fail(new Http3Error('H3_STREAM_CREATION_ERROR', what)));
    return { kind: 'ignored' };
  }

  private read(stream: UniStream, data: Uint8Array, events: SessionEvent[]): void {
    if (data.length === 0) return;
    switch (stream.kind) {
      case 'control':
        for (const event of stream.reader.push(data)) {
          if (event.type === 'settings') {
            this.settings = event.settings;
            events.push(event);
          } else if (event.type === 'goaway') {
            this.lastGoaway = event.id;
            events.push({ type: 'goaway', id: Number(event.id), exactId: event.id });
          } else {
            events.push(...this.fail(event.error));
          }
        }
        return;
      case 'qpack-encoder':
      case 'qpack-decoder': {
        const error = stream.reader.push(data);
        if (error) events.push(...this.fail(error));
        return;
      }
      default:
        // Ignored streams: discarded unread (§6.2).
        return;
    }
  }

  /** §6.2.1, RFC 9204 §4.2: the control and QPACK streams must stay open for the whole connection. */
  private closed(streamId: number, stream: UniStream, events: SessionEvent[], how: string): void {
    if (stream.kind === 'control' || stream.kind === 'qpack-encoder' || stream.kind === 'qpack-decoder') {
      events.push(...this.fail(new Http3Error('H3_CLOSED_CRITICAL_STREAM', `the peer's ${stream.kind} stream ${how} (RFC 9114 §6.2.1, RFC 9204 §4.2)`)));
      return;
    }
    this.streams.delete(streamId);
  }

  private fail(error: Http3Error): SessionEvent[] {
    this.failure = error;
    this.streams.clear();
    return [{ type: 'connection-error', error }];
  }
}
