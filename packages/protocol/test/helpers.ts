/** Shared test helpers: deterministic masking and frame building. */
import type { MaskSource } from '../src/mask-source.js';
import { Protocol, type ProtocolOptions, type ProtocolEvent } from '../src/protocol.js';

export const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Always the key of RFC 6455 §5.7: 37 fa 21 3d. */
export const fixedMask: MaskSource = (target, offset) => {
  target.set([0x37, 0xfa, 0x21, 0x3d], offset);
};

/** A frame as raw bytes, built by hand (independent of the serializer). */
export function rawFrame(
  opcode: number,
  payload: Uint8Array,
  { fin = true, rsv = 0, key }: { fin?: boolean; rsv?: number; key?: number[] } = {},
): Buffer {
  const length = payload.length;
  const extended = length < 126 ? [] : length < 65536 ? [length >> 8, length & 0xff] : [0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
  const length7 = length < 126 ? length : length < 65536 ? 126 : 127;
  const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode, (key ? 0x80 : 0) | length7, ...extended, ...(key ?? [])];
  const body = Buffer.from(payload);
  if (key) for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), body]);
}

export const CLIENT_KEY = [1, 2, 3, 4];

/** A frame as a client sends it (masked). */
export const clientFrame = (opcode: number, payload: Uint8Array | string, options: { fin?: boolean; rsv?: number } = {}) =>
  rawFrame(opcode, typeof payload === 'string' ? Buffer.from(payload) : payload, { ...options, key: CLIENT_KEY });

/** Feeds chunks to a fresh protocol and returns its events. */
export function receive(options: ProtocolOptions, ...chunks: Uint8Array[]): { protocol: Protocol; events: ProtocolEvent[] } {
  const protocol = new Protocol(options);
  for (const chunk of chunks) protocol.receiveData(Buffer.from(chunk));
  return { protocol, events: protocol.eventsReceived() };
}

/** Events in a form that compares with t.same. */
export function plain(events: ProtocolEvent[]): unknown[] {
  return events.map((event) => {
    if (event.type === 'message') return { type: event.binary ? 'binary' : 'text', data: event.binary ? event.data.toString('hex') : event.data.toString() };
    if (event.type === 'ping' || event.type === 'pong') return { type: event.type, data: event.data.toString('hex') };
    if (event.type === 'error') return { type: 'error', code: event.error.code, closeCode: event.error.closeCode };
    return event;
  });
}
