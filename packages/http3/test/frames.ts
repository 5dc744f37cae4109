import t from 'tap';
import {
  FrameType,
  PRIORITY_UPDATE_PUSH,
  PRIORITY_UPDATE_REQUEST,
  encodeDataFrame,
  encodeDataFrameHeader,
  encodeFrame,
  encodeFrameHeader,
  encodeGoawayFrame,
  encodeHeadersFrame,
  encodeIdFrame,
  isBufferedFrameType,
  isHttp2ReservedFrameType,
  isReservedValue,
  readIdPayload,
  reservedValue,
} from '../src/h3/frames.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('frame types of RFC 9114 §7.2 and RFC 9218', async (t) => {
  t.same(FrameType, { DATA: 0, HEADERS: 1, CANCEL_PUSH: 3, SETTINGS: 4, PUSH_PROMISE: 5, GOAWAY: 7, MAX_PUSH_ID: 0x0d });
  t.equal(PRIORITY_UPDATE_REQUEST, 0xf0700);
  t.equal(PRIORITY_UPDATE_PUSH, 0xf0701);
  for (const type of [2, 6, 8, 9]) t.ok(isHttp2ReservedFrameType(type), `0x${type}`);
  for (const type of [0, 1, 3, 4, 5, 7, 0x0a, 0x0d, 0x21]) t.notOk(isHttp2ReservedFrameType(type));
  for (const type of [1, 3, 4, 5, 7, 0x0d]) t.ok(isBufferedFrameType(type));
  for (const type of [0, 2, 6, 8, 9, 0x21, PRIORITY_UPDATE_REQUEST]) t.notOk(isBufferedFrameType(type));
});

t.test('reserved values 0x1f * N + 0x21', async (t) => {
  t.equal(reservedValue(0), 0x21n);
  t.equal(reservedValue(1), 0x40n);
  t.equal(reservedValue(0x210842108421083n), 0x3ffffffffffffffen, 'the largest, 2^62 - 2');
  for (const v of [0x21, 0x40, 0x5f, 0x21n, 0x3ffffffffffffffen]) t.ok(isReservedValue(v), `${v}`);
  for (const v of [0, 0x20, 0x22, 0x41, 0x3fffffffffffffffn]) t.notOk(isReservedValue(v), `${v}`);
});

t.test('encoders', async (t) => {
  t.same(encodeFrameHeader(FrameType.DATA, 5), hex('00 05'));
  t.same(encodeFrameHeader(0x21n, 16384), hex('21 80004000'));
  t.same(encodeFrameHeader(PRIORITY_UPDATE_REQUEST, 0), hex('800f0700 00'));
  t.same(encodeFrame(FrameType.HEADERS, hex('0000d1')), hex('01 03 0000d1'));
  t.same(encodeFrame(reservedValue(0x1000000000000n), hex('ab')), Buffer.concat([hex('c01f000000000021'), hex('01ab')]));
  t.same(encodeDataFrameHeader(70000), hex('00 80011170'));
  t.same(encodeDataFrame(hex('68656c6c6f')), hex('00 05 68656c6c6f'));
  t.same(encodeDataFrame(new Uint8Array(0)), hex('0000'));
  t.same(encodeHeadersFrame(hex('0000')), hex('01 02 0000'));
  t.same(encodeGoawayFrame(0), hex('07 01 00'));
  t.same(encodeGoawayFrame((1n << 62n) - 4n), hex('07 08 fffffffffffffffc'));
  t.same(encodeIdFrame(FrameType.MAX_PUSH_ID, 63), hex('0d 01 3f'));
});

t.test('one-varint payloads (RFC 9114 §7.1)', async (t) => {
  t.equal(readIdPayload(hex('4025'), 'GOAWAY'), 37n);
  t.equal(readIdPayload(hex('fffffffffffffffc'), 'GOAWAY'), (1n << 62n) - 4n);
  t.throws(() => readIdPayload(hex(''), 'GOAWAY'), { code: 'H3_FRAME_ERROR', message: /GOAWAY/ });
  t.throws(() => readIdPayload(hex('40'), 'GOAWAY'), { code: 'H3_FRAME_ERROR' }, 'truncated');
  t.throws(() => readIdPayload(hex('0000'), 'CANCEL_PUSH'), { code: 'H3_FRAME_ERROR', message: /CANCEL_PUSH/ }, 'extra byte');
});
