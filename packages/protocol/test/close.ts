import t from 'tap';
import { encodeClosePayload, isValidCloseCode, parseClosePayload } from '../src/close.js';
import { ProtocolError, UsageError } from '../src/errors.js';

t.test('close codes that may travel on the wire (§7.4)', async (t) => {
  const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
  const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
  for (const code of valid) t.ok(isValidCloseCode(code), `${code} valid`);
  for (const code of invalid) t.notOk(isValidCloseCode(code), `${code} invalid`);
});

t.test('parseClosePayload', async (t) => {
  t.same(parseClosePayload(Buffer.alloc(0)), { code: 1005, reason: '' });
  t.same(parseClosePayload(Buffer.from([0x03, 0xe8])), { code: 1000, reason: '' });
  t.same(parseClosePayload(Buffer.from([0x0f, 0xa0, 0x68, 0x69])), { code: 4000, reason: 'hi' });
  const failures: [number[], string, number][] = [
    [[0x03], 'INVALID_CLOSE_PAYLOAD', 1002],
    [[0x03, 0xed], 'INVALID_CLOSE_CODE', 1002],
    [[0x03, 0xe8, 0xff], 'INVALID_UTF8', 1007],
  ];
  for (const [body, code, closeCode] of failures) {
    t.throws(() => parseClosePayload(Buffer.from(body)), { name: 'ProtocolError', code, closeCode });
  }
  t.throws(() => parseClosePayload(Buffer.from([0x03])), ProtocolError);
});

t.test('encodeClosePayload', async (t) => {
  t.equal(encodeClosePayload().length, 0);
  t.same([...encodeClosePayload(1000)], [0x03, 0xe8]);
  t.same(encodeClosePayload(1001, 'bye').subarray(2).toString(), 'bye');
  t.equal(encodeClosePayload(1000, 'é'.repeat(61) + 'a').length, 125, '123 reason bytes fit');
  t.throws(() => encodeClosePayload(1000, 'é'.repeat(62)), { code: 'INVALID_ARGUMENT' });
  t.throws(() => encodeClosePayload(undefined, 'why'), UsageError);
  for (const code of [1005, 1006, 1015, 999, 1000.5, 5000]) {
    t.throws(() => encodeClosePayload(code), { code: 'INVALID_ARGUMENT' }, `${code}`);
  }
});
