import t from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { reservedValue } from '../src/h3/frames.js';
import { DEFAULT_SETTINGS, SettingId, decodeSettings, encodeParameters, encodeSettings, encodeSettingsFrame, greaseSettingId } from '../src/h3/settings.js';
import { readVarint } from '../src/h3/varint.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('identifiers', async (t) => {
  t.same(SettingId, { QPACK_MAX_TABLE_CAPACITY: 1, MAX_FIELD_SECTION_SIZE: 6, QPACK_BLOCKED_STREAMS: 7, ENABLE_CONNECT_PROTOCOL: 8, H3_DATAGRAM: 0x33 });
});

t.test('an empty SETTINGS means the defaults', async (t) => {
  t.same(decodeSettings(new Uint8Array(0)), { ...DEFAULT_SETTINGS, parameters: [] });
  t.equal(DEFAULT_SETTINGS.maxFieldSectionSize, Infinity);
  t.ok(Object.isFrozen(DEFAULT_SETTINGS));
});

t.test('known settings are read', async (t) => {
  const s = decodeSettings(encodeParameters([[1, 4096], [6, 16384], [7, 100], [8, 1], [0x33, 1]]));
  t.equal(s.qpackMaxTableCapacity, 4096);
  t.equal(s.maxFieldSectionSize, 16384);
  t.equal(s.qpackBlockedStreams, 100);
  t.equal(s.enableConnectProtocol, true);
  t.equal(s.h3Datagram, true);
  t.same(s.parameters, [[1n, 4096n], [6n, 16384n], [7n, 100n], [8n, 1n], [0x33n, 1n]]);
  const off = decodeSettings(encodeParameters([[8, 0], [0x33, 0]]));
  t.equal(off.enableConnectProtocol, false);
  t.equal(off.h3Datagram, false);
});

t.test('values above 2^53-1', async (t) => {
  const max = (1n << 62n) - 1n;
  const s = decodeSettings(encodeParameters([[1, max], [6, max], [7, max]]));
  t.equal(s.qpackMaxTableCapacity, Number.MAX_SAFE_INTEGER);
  t.equal(s.maxFieldSectionSize, Infinity, 'unlimited in effect');
  t.equal(s.qpackBlockedStreams, Number.MAX_SAFE_INTEGER);
  t.same(s.parameters[0], [1n, max]);
  t.equal(decodeSettings(encodeParameters([[6, Number.MAX_SAFE_INTEGER]])).maxFieldSectionSize, Number.MAX_SAFE_INTEGER);
});

t.test('GREASE and unknown identifiers are ignored (RFC 9114 §7.2.4, §9)', async (t) => {
  const s = decodeSettings(encodeParameters([[0x21, 5], [reservedValue(1000n), 7], [0x00, 1], [0x09, 9], [0x3fffffffffffffffn, 0x3fffffffffffffffn], [6, 100]]));
  t.equal(s.maxFieldSectionSize, 100);
  t.equal(s.parameters.length, 6);
  t.same({ ...s, parameters: [] }, { ...DEFAULT_SETTINGS, maxFieldSectionSize: 100, parameters: [] });
});

t.test('errors', async (t) => {
  for (const id of [2, 3, 4, 5]) {
    t.throws(() => decodeSettings(encodeParameters([[id, 0]])), { code: 'H3_SETTINGS_ERROR', wireCode: 0x109, scope: 'connection', message: /HTTP\/2 setting/ }, `HTTP/2 setting 0x${id}`);
  }
  t.throws(() => decodeSettings(encodeParameters([[6, 1], [6, 1]])), { code: 'H3_SETTINGS_ERROR', message: /twice/ });
  t.throws(() => decodeSettings(encodeParameters([[0x21, 1], [0x21, 2]])), { code: 'H3_SETTINGS_ERROR', message: /twice/ }, 'even reserved ones');
  t.throws(() => decodeSettings(encodeParameters([[8, 2]])), { code: 'H3_SETTINGS_ERROR', message: /ENABLE_CONNECT_PROTOCOL must be 0 or 1/ });
  t.throws(() => decodeSettings(encodeParameters([[0x33, 0x3fffffffffffffffn]])), { code: 'H3_SETTINGS_ERROR', message: /H3_DATAGRAM/ });
  t.throws(() => decodeSettings(hex('06')), { code: 'H3_FRAME_ERROR', message: /ends inside/ }, 'identifier without value');
  t.throws(() => decodeSettings(hex('0640')), { code: 'H3_FRAME_ERROR' }, 'value cut short');
  t.throws(() => decodeSettings(hex('40')), { code: 'H3_FRAME_ERROR' }, 'identifier cut short');
});

t.test('our SETTINGS', async (t) => {
  t.same(encodeSettings({ maxFieldSectionSize: 65536 }), hex('01 00 07 00 06 80010000 08 01'));
  t.same(encodeSettings({ maxFieldSectionSize: 100, enableConnectProtocol: false, h3Datagram: true, grease: { id: 0x21n, value: 3 } }), hex('0100 0700 06 4064 33 01 21 03'));
  const decoded = decodeSettings(encodeSettings({ maxFieldSectionSize: 8192, grease: { id: reservedValue(77), value: 0 } }));
  t.equal(decoded.enableConnectProtocol, true);
  t.equal(decoded.maxFieldSectionSize, 8192);
  t.equal(decoded.qpackMaxTableCapacity, 0);
  t.equal(decoded.qpackBlockedStreams, 0);
  const frame = encodeSettingsFrame({ maxFieldSectionSize: 65536 });
  t.same(frame, hex('04 0b 01 00 07 00 06 80010000 08 01'));
  t.equal(readVarint(frame, 0)!.value, 4);
});

t.test('GREASE identifiers', async (t) => {
  t.equal(greaseSettingId(() => 0), 0x21n);
  t.equal(greaseSettingId(() => 0.9999999999), reservedValue(0xffffffff));
  fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (r) => {
    const id = greaseSettingId(() => r);
    return (id - 0x21n) % 0x1fn === 0n && id < 1n << 62n;
  }));
});

t.test('random payloads decode or raise settings/frame errors only', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 60 }), (bytes) => {
      try {
        decodeSettings(bytes);
        return true;
      } catch (error) {
        return error instanceof Http3Error && (error.code === 'H3_SETTINGS_ERROR' || error.code === 'H3_FRAME_ERROR');
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
