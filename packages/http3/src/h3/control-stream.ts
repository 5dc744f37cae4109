/**
 * The peer's control stream (RFC 9114 §6.2.1), after its stream type byte:
 * SETTINGS first and once, then GOAWAY, MAX_PUSH_ID, CANCEL_PUSH and
 * extension frames. We never allow server push (a client of ours sends no
 * MAX_PUSH_ID, a server of ours sends no PUSH_PROMISE), which settles every
 * question about push ids.
 */
import { Http3Error } from './errors.js';
import { FrameReader } from './frame-reader.js';
import type { FrameEvent } from './frame-reader.js';
import { FrameType, isHttp2ReservedFrameType, readIdPayload } from './frames.js';
import { decodeSettings } from './settings.js';
import type { Http3Settings } from './settings.js';

export type Role = 'client' | 'server';

export type ControlStreamEvent =
  | { type: 'settings'; settings: Http3Settings }
  /** A stream id (from a server) or push id (from a client); see session.ts for `id`. */
  | { type: 'goaway'; id: bigint }
  | { type: 'error'; error: Http3Error };

export interface ControlStreamOptions {
  /** Our role: the peer has the other one. */
  role: Role;
  /** The largest control frame payload we buffer (SETTINGS, GOAWAY, ...). */
  maxFramePayload: number;
}

export class ControlStreamReader {
  private readonly role: Role;
  private readonly frames: FrameReader;
  private settingsReceived = false;
  private lastGoaway: bigint | undefined;
  private maxPushId: bigint | undefined;
  private failure: Http3Error | undefined;

  constructor(options: ControlStreamOptions) {
    this.role = options.role;
    this.frames = new FrameReader({ maxPayloadSize: options.maxFramePayload });
  }

  /** Reads bytes of the stream; an 'error' event (a connection error) is always last. */
  push(chunk: Uint8Array): ControlStreamEvent[] {
    if (this.failure) return [];
    const events: ControlStreamEvent[] = [];
    try {
      this.frames.push(chunk);
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

  /** The MAX_PUSH_ID a server of ours received, if any (informational: we never push). */
  get receivedMaxPushId(): bigint | undefined {
    return this.maxPushId;
  }

  private handle(event: FrameEvent): ControlStreamEvent | undefined {
    if (event.kind === 'header') {
      this.checkFrameType(event.type);
      return undefined;
    }
    // Only a 'frame' can follow: DATA is refused at its header ('data'
    // events never come), and the reader is never told of the stream's end
    // (the session reports that itself), so no 'end' event either.
    const { type, payload } = event as Extract<FrameEvent, { kind: 'frame' }>;
    switch (type) {
      case FrameType.SETTINGS:
        this.settingsReceived = true;
        return { type: 'settings', settings: decodeSettings(payload) };
      case FrameType.GOAWAY:
        return this.goaway(readIdPayload(payload, 'GOAWAY'));
      case FrameType.MAX_PUSH_ID: {
        // Only a server gets here (checkFrameType).
        const pushId = readIdPayload(payload, 'MAX_PUSH_ID');
        if (this.maxPushId !== undefined && pushId < this.maxPushId) {
          throw new Http3Error('H3_ID_ERROR', 'MAX_PUSH_ID reduced the maximum push id (RFC 9114 §7.2.7)');
        }
        this.maxPushId = pushId;
        return undefined;
      }
      default: {
        // CANCEL_PUSH: the only other buffered type allowed past checkFrameType.
        const pushId = readIdPayload(payload, 'CANCEL_PUSH');
        throw new Http3Error(
          'H3_ID_ERROR',
          this.role === 'client'
            ? `CANCEL_PUSH for push id ${pushId}, but we allowed no push (no MAX_PUSH_ID sent) (RFC 9114 §7.2.3)`
            : `CANCEL_PUSH for push id ${pushId}, which no PUSH_PROMISE of ours mentioned (RFC 9114 §7.2.3)`,
        );
      }
    }
  }

  private checkFrameType(type: number): void {
    if (!this.settingsReceived) {
      // §6.2.1: SETTINGS first; §9: an unknown frame does not satisfy that either.
      if (type !== FrameType.SETTINGS) {
        throw new Http3Error('H3_MISSING_SETTINGS', `first frame on the control stream has type 0x${type.toString(16)}, not SETTINGS (RFC 9114 §6.2.1)`);
      }
      return;
    }
    if (type === FrameType.SETTINGS) throw unexpected('a second SETTINGS frame (RFC 9114 §7.2.4)');
    if (type === FrameType.DATA || type === FrameType.HEADERS || type === FrameType.PUSH_PROMISE) {
      throw unexpected(`frame type 0x${type.toString(16)} on the control stream (RFC 9114 §7.2)`);
    }
    if (type === FrameType.MAX_PUSH_ID && this.role === 'client') {
      throw unexpected('MAX_PUSH_ID received by a client (RFC 9114 §7.2.7)');
    }
    if (isHttp2ReservedFrameType(type)) throw unexpected(`HTTP/2 frame type 0x${type.toString(16)} (RFC 9114 §7.2.8)`);
  }

  private goaway(id: bigint): ControlStreamEvent {
    // §7.2.6: from a server, the id of a client-initiated bidirectional stream.
    if (this.role === 'client' && id % 4n !== 0n) {
      throw new Http3Error('H3_ID_ERROR', `GOAWAY with ${id}, not a client-initiated bidirectional stream id (RFC 9114 §7.2.6)`);
    }
    // §5.2: the id may stay or fall, never rise.
    if (this.lastGoaway !== undefined && id > this.lastGoaway) {
      throw new Http3Error('H3_ID_ERROR', `GOAWAY id rose from ${this.lastGoaway} to ${id} (RFC 9114 §5.2)`);
    }
    this.lastGoaway = id;
    return { type: 'goaway', id };
  }
}

function unexpected(message: string): Http3Error {
  return new Http3Error('H3_FRAME_UNEXPECTED', message);
}
