import t from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { FrameReader } from '../src/h3/frame-reader.js';
import type { FrameEvent } from '../src/h3/frame-reader.js';
import { FrameType, encodeDataFrameHeader, encodeFrame, encodeFrameHeader, reservedValue } from '../src/h3/frames.js';
import { VARINT_CLAMPED } from '../src/h3/varint.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function drain(reader: FrameReader): FrameEvent[] {
  const events: FrameEvent[] = [];
  for (let e = reader.next(); e !== null; e = reader.next()) events.push(e);
  return events;
}

/** Feeds `bytes` cut at `cuts`, then FIN; merges DATA pieces for comparison. */
function readAll(bytes: Buffer, cuts: number[], max = 1000): FrameEvent[] {
  const reader = new FrameReader({ maxPayloadSize: max });
  const events: FrameEvent[] = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    reader.push(bytes.subarray(at, cut));
    at = cut;
    events.push(...drain(reader));
  }
  reader.end();
  events.push(...drain(reader));
  return merge(events);
}

function merge(events: FrameEvent[]): FrameEvent[] {
  const out: FrameEvent[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.kind === 'data' && last?.kind === 'data') last.chunk = Buffer.concat([last.chunk, e.chunk]);
    else out.push(e.kind === 'data' ? { kind: 'data', chunk: Buffer.from(e.chunk) } : e);
  }
  return out;
}

const stream = Buffer.concat([
  encodeFrame(FrameType.HEADERS, hex('0000d1')),
  encodeFrame(reservedValue(3), hex('deadbeef')),
  encodeDataFrameHeader(5),
  hex('68656c6c6f'),
  encodeFrame(FrameType.DATA, new Uint8Array(0)),
  encodeFrame(0xf0700, hex('00')),
  encodeFrame(FrameType.SETTINGS, new Uint8Array(0)),
  encodeFrame(FrameType.HEADERS, hex('0000d9')),
]);
const expected: FrameEvent[] = [
  { kind: 'header', type: 1, length: 3 },
  { kind: 'frame', type: 1, payload: hex('0000d1') },
  { kind: 'header', type: 0x21 + 3 * 0x1f, length: 4 },
  { kind: 'header', type: 0, length: 5 },
  { kind: 'data', chunk: hex('68656c6c6f') },
  { kind: 'header', type: 0, length: 0 },
  { kind: 'header', type: 0xf0700, length: 1 },
  { kind: 'header', type: 4, length: 0 },
  { kind: 'frame', type: 4, payload: Buffer.alloc(0) },
  { kind: 'header', type: 1, length: 3 },
  { kind: 'frame', type: 1, payload: hex('0000d9') },
  { kind: 'end' },
];

t.test('reads frames whole, one byte at a time, and cut anywhere', async (t) => {
  t.same(readAll(stream, []), expected, 'whole');
  t.same(readAll(stream, Array.from({ length: stream.length }, (_, i) => i)), expected, 'byte at a time');
  fc.assert(fc.property(fc.array(fc.nat({ max: stream.length })), (cuts) => JSON.stringify(readAll(stream, cuts)) === JSON.stringify(expected)));
});

t.test('DATA is handed out as views, as it arrives', async (t) => {
  const reader = new FrameReader({ maxPayloadSize: 10 });
  const chunk = Buffer.concat([encodeDataFrameHeader(100000), Buffer.alloc(1000, 1)]);
  reader.push(chunk);
  const events = drain(reader);
  t.same(events[0], { kind: 'header', type: 0, length: 100000 });
  t.equal(events.length, 2);
  const piece = (events[1] as { chunk: Buffer }).chunk;
  t.equal(piece.length, 1000);
  t.equal(piece.buffer, chunk.buffer, 'a view, not a copy');
  reader.push(Buffer.alloc(99000, 2));
  const more = drain(reader);
  t.equal(more.length, 1);
  t.equal((more[0] as { chunk: Buffer }).chunk.length, 99000);
  reader.push(hex('0001'));
  t.same(drain(reader), [{ kind: 'header', type: 0, length: 1 }]);
});

t.test('a buffered frame in one chunk is a view; across chunks a copy', async (t) => {
  const frame = encodeFrame(FrameType.SETTINGS, hex('0600'));
  const reader = new FrameReader({ maxPayloadSize: 10 });
  reader.push(frame);
  const [, whole] = drain(reader);
  t.equal((whole as { payload: Buffer }).payload.buffer, frame.buffer);
  reader.push(frame.subarray(0, 3));
  t.same(drain(reader), [{ kind: 'header', type: 4, length: 2 }]);
  reader.push(frame.subarray(3));
  t.same(drain(reader), [{ kind: 'frame', type: 4, payload: hex('0600') }]);
  // A Uint8Array (not a Buffer) is accepted too.
  reader.push(new Uint8Array(frame));
  t.equal(drain(reader).length, 2);
});

t.test('oversize buffered frames are refused after their header', async (t) => {
  const reader = new FrameReader({ maxPayloadSize: 4 });
  reader.push(encodeFrameHeader(FrameType.HEADERS, 5));
  t.same(reader.next(), { kind: 'header', type: 1, length: 5 });
  t.throws(() => reader.next(), { code: 'H3_EXCESSIVE_LOAD', scope: 'connection', message: /over our limit of 4/ });
  t.throws(() => reader.next(), { code: 'H3_EXCESSIVE_LOAD' }, 'stays failed');
  const streamScoped = new FrameReader({ maxPayloadSize: 4, oversizeScope: 'stream' });
  streamScoped.push(encodeFrameHeader(FrameType.HEADERS, 5));
  streamScoped.next();
  t.throws(() => streamScoped.next(), { code: 'H3_EXCESSIVE_LOAD', scope: 'stream' });
  // Exactly at the limit is fine.
  const atLimit = new FrameReader({ maxPayloadSize: 4 });
  atLimit.push(encodeFrame(FrameType.GOAWAY, hex('00000000')));
  t.equal(drain(atLimit).length, 2);
});

t.test('unknown frames are skipped without buffering, whatever their size', async (t) => {
  const reader = new FrameReader({ maxPayloadSize: 4 });
  reader.push(encodeFrameHeader(0x21, 1 << 20));
  t.same(drain(reader), [{ kind: 'header', type: 0x21, length: 1 << 20 }]);
  for (let i = 0; i < 16; i++) {
    reader.push(Buffer.alloc(1 << 16));
    t.same(drain(reader), []);
  }
  reader.push(encodeFrame(FrameType.GOAWAY, hex('04')));
  t.same(drain(reader), [{ kind: 'header', type: 7, length: 1 }, { kind: 'frame', type: 7, payload: hex('04') }]);
  // Types and lengths above 2^53 read as 2^53.
  const huge = new FrameReader({ maxPayloadSize: 4 });
  huge.push(Buffer.concat([hex('ffffffffffffffff'), hex('ffffffffffffffff'), Buffer.alloc(10)]));
  t.same(drain(huge), [{ kind: 'header', type: VARINT_CLAMPED, length: VARINT_CLAMPED }]);
});

t.test('the end of the stream (RFC 9114 §7.1)', async (t) => {
  const clean = new FrameReader({ maxPayloadSize: 4 });
  clean.end();
  t.same(drain(clean), [{ kind: 'end' }]);
  t.equal(clean.next(), null, 'nothing after the end');
  const cases: [string, Buffer][] = [
    ['inside a header', hex('01')],
    ['inside a two-byte type', hex('40')],
    ['inside a length', hex('0140')],
    ['inside a buffered payload', hex('0103 0000')],
    ['inside a DATA payload', hex('0003 0000')],
    ['inside a skipped payload', hex('2103 0000')],
  ];
  for (const [name, bytes] of cases) {
    const reader = new FrameReader({ maxPayloadSize: 4 });
    reader.push(bytes);
    reader.end();
    t.throws(() => drain(reader), { code: 'H3_FRAME_ERROR', scope: 'connection' }, name);
  }
  const late = new FrameReader({ maxPayloadSize: 4 });
  late.end();
  t.throws(() => late.push(hex('00')), /after end/);

});

t.test('random input: frames or H3_FRAME_ERROR / H3_EXCESSIVE_LOAD only', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.array(fc.nat({ max: 100 })), (bytes, cuts) => {
      try {
        readAll(Buffer.from(bytes), cuts, 8);
        return true;
      } catch (error) {
        return error instanceof Http3Error && (error.code === 'H3_FRAME_ERROR' || error.code === 'H3_EXCESSIVE_LOAD');
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
