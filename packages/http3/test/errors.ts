import t from 'tap';
import { H3ErrorCode, Http3Error, defaultScope, errorNameOf } from '../src/h3/errors.js';

t.test('RFC 9114 §8.1 and RFC 9204 §6 codes', async (t) => {
  const expected: [string, number][] = [
    ['H3_NO_ERROR', 0x100], ['H3_GENERAL_PROTOCOL_ERROR', 0x101], ['H3_INTERNAL_ERROR', 0x102],
    ['H3_STREAM_CREATION_ERROR', 0x103], ['H3_CLOSED_CRITICAL_STREAM', 0x104], ['H3_FRAME_UNEXPECTED', 0x105],
    ['H3_FRAME_ERROR', 0x106], ['H3_EXCESSIVE_LOAD', 0x107], ['H3_ID_ERROR', 0x108], ['H3_SETTINGS_ERROR', 0x109],
    ['H3_MISSING_SETTINGS', 0x10a], ['H3_REQUEST_REJECTED', 0x10b], ['H3_REQUEST_CANCELLED', 0x10c],
    ['H3_REQUEST_INCOMPLETE', 0x10d], ['H3_MESSAGE_ERROR', 0x10e], ['H3_CONNECT_ERROR', 0x10f],
    ['H3_VERSION_FALLBACK', 0x110], ['QPACK_DECOMPRESSION_FAILED', 0x200], ['QPACK_ENCODER_STREAM_ERROR', 0x201],
    ['QPACK_DECODER_STREAM_ERROR', 0x202],
  ];
  t.same(Object.entries(H3ErrorCode), expected);
  for (const [name, value] of expected) t.equal(errorNameOf(value), name);
  t.equal(errorNameOf(0x21), undefined, 'a reserved code is no name of ours');
});

t.test('Http3Error carries name, wire code and scope', async (t) => {
  const e = new Http3Error('H3_FRAME_UNEXPECTED', 'nope');
  t.ok(e instanceof Error);
  t.equal(e.name, 'Http3Error');
  t.equal(e.code, 'H3_FRAME_UNEXPECTED');
  t.equal(e.wireCode, 0x105);
  t.equal(e.scope, 'connection');
  t.equal(e.isConnectionError, true);
  t.equal(e.message, 'nope');
  const m = new Http3Error('H3_MESSAGE_ERROR', 'bad');
  t.equal(m.scope, 'stream');
  t.equal(m.isConnectionError, false);
  const overridden = new Http3Error('QPACK_DECOMPRESSION_FAILED', 'too big', 'stream');
  t.equal(overridden.scope, 'stream');
  t.equal(defaultScope('QPACK_DECOMPRESSION_FAILED'), 'connection');
  t.equal(defaultScope('H3_REQUEST_INCOMPLETE'), 'stream');
});
