import t from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { huffmanEncode } from '../src/h3/huffman.js';
import { encodePrefixInteger } from '../src/h3/prefix-integer.js';
import { decodeFieldSection, encodeFieldSection, fieldSectionSize } from '../src/h3/qpack.js';
import type { Field } from '../src/h3/qpack.js';
import { QPACK_STATIC_TABLE } from '../src/h3/qpack-static-table.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const decode = (bytes: Buffer, max = Number.MAX_SAFE_INTEGER) => decodeFieldSection(bytes, { maxFieldSectionSize: max });

t.test('RFC 9204 Appendix B.1: literal field line with name reference', async (t) => {
  t.same(decode(hex('0000 510b 2f69 6e64 6578 2e68 746d 6c')), [[':path', '/index.html']]);
  // The same line with the Never-Indexed bit set decodes the same (§4.5.4).
  t.same(decode(hex('0000 710b 2f69 6e64 6578 2e68 746d 6c')), [[':path', '/index.html']]);
  // Our encoder uses Huffman here, which is shorter (8 bytes instead of 11).
  const ours = encodeFieldSection([[':path', '/index.html']]);
  t.same(ours, Buffer.concat([hex('0000 5188'), huffmanEncode('/index.html')]));
  t.same(decode(ours), [[':path', '/index.html']]);
});

t.test('the three representations the encoder uses', async (t) => {
  // Indexed Field Line, static: 11 index(6+).
  t.same(encodeFieldSection([[':method', 'CONNECT']]), hex('0000 cf'));
  t.same(encodeFieldSection([[':status', '200']]), hex('0000 d9'));
  t.same(encodeFieldSection([['x-frame-options', 'sameorigin']]), hex('0000 ff23'), 'index 98 needs a second byte');
  // Literal Field Line With Name Reference, static: 0101 index(4+), value without Huffman when Huffman is not shorter.
  t.same(encodeFieldSection([[':protocol', 'x']]).subarray(0, 3), hex('0000 2f'), ':protocol is not in the table: literal name, Huffman');
  t.same(encodeFieldSection([[':authority', '{}']]), hex('0000 5002 7b7d'), 'raw value: Huffman would be longer');
  t.same(encodeFieldSection([['user-agent', '']]), hex('0000 ff20'), 'exact match with an empty value');
  t.same(encodeFieldSection([['age', '1']]), hex('0000 5201 31'), 'one raw byte');
  // Literal Field Line With Literal Name: 001 N H length(3+), name, value.
  t.same(encodeFieldSection([['sec-websocket-version', '13']]), Buffer.concat([hex('0000 2f08'), huffmanEncode('sec-websocket-version'), hex('02 3133')]));
  t.same(encodeFieldSection([['{', '}']]), hex('0000 21 7b 01 7d'), 'raw name and value');
  t.same(encodeFieldSection([]), hex('0000'), 'an empty section is its prefix');
  t.same(decode(hex('0000')), []);
});

t.test('the encoder refuses what it cannot send', async (t) => {
  t.throws(() => encodeFieldSection([['Host', 'x']]), { code: 'H3_INTERNAL_ERROR', scope: 'stream' });
  t.throws(() => encodeFieldSection([['x-a', '\u0100']]), { code: 'H3_INTERNAL_ERROR' });
  t.throws(() => encodeFieldSection([['x-\u2603', 'a']]), { code: 'H3_INTERNAL_ERROR' });
});

t.test('field section size (RFC 9114 §4.2.2)', async (t) => {
  const fields: Field[] = [[':method', 'GET'], ['x-long', 'v'.repeat(100)], ['user-agent', 'test']];
  const size = fieldSectionSize(fields);
  t.equal(size, 7 + 3 + 6 + 100 + 10 + 4 + 3 * 32);
  const encoded = encodeFieldSection(fields);
  t.same(decode(encoded, size), fields, 'exactly at the limit');
  t.throws(() => decode(encoded, size - 1), { code: 'H3_EXCESSIVE_LOAD', wireCode: 0x107, scope: 'stream' });
  // Refused before copying: a raw value longer than the whole limit.
  const raw = Buffer.concat([hex('0000 5f01'), encodePrefixInteger(5000, 7), Buffer.alloc(5000, 0x7b)]);
  t.throws(() => decode(raw, 1000), { code: 'H3_EXCESSIVE_LOAD' });
  // ...a Huffman value whose minimum decoded size is already too large.
  const huff = Buffer.concat([hex('0000 5f01'), encodePrefixInteger(5000, 7, 0x80), Buffer.alloc(5000, 0)]);
  t.throws(() => decode(huff, 1000), { code: 'H3_EXCESSIVE_LOAD' });
  // ...and a literal name that cannot fit.
  const name = Buffer.concat([encodePrefixInteger(200, 3, 0x20), Buffer.alloc(200, 0x61), hex('00')]);
  t.throws(() => decode(Buffer.concat([hex('0000'), name]), 100), { code: 'H3_EXCESSIVE_LOAD' });
  t.same(decode(Buffer.concat([hex('0000'), name]), 232), [['a'.repeat(200), '']]);
  // Indexed lines count too.
  t.throws(() => decode(hex('0000 d1 d1'), 2 * (7 + 3 + 32) - 1), { code: 'H3_EXCESSIVE_LOAD' });
});

t.test('the dynamic table is never referenced (RFC 9204 §2.2.3, §4.5)', async (t) => {
  const failed = { name: 'Http3Error', code: 'QPACK_DECOMPRESSION_FAILED', wireCode: 0x200, scope: 'connection' };
  // Appendix B.2, stream 4: Required Insert Count 2, Base 0, then post-Base indexes.
  t.throws(() => decode(hex('0381 10 11')), { ...failed, message: /Required Insert Count/ });
  // Appendix B.4, stream 8: Required Insert Count 4, Base 4.
  t.throws(() => decode(hex('0500 80 c1 81')), { ...failed, message: /Required Insert Count/ });
  t.throws(() => decode(hex('0100')), failed, 'any non-zero Required Insert Count');
  t.throws(() => decode(hex('0080')), { ...failed, message: /Sign bit/ }, 'negative Base');
  t.throws(() => decode(hex('0000 80')), { ...failed, message: /Indexed Field Line references/ });
  t.throws(() => decode(hex('0000 10')), { ...failed, message: /Post-Base Index/ });
  t.throws(() => decode(hex('0000 4000')), { ...failed, message: /Name Reference references/ });
  t.throws(() => decode(hex('0000 6000')), { ...failed, message: /Name Reference references/ }, 'N bit set, still dynamic');
  t.throws(() => decode(hex('0000 0000')), { ...failed, message: /Post-Base Name Reference/ });
  t.throws(() => decode(hex('0000 0800')), { ...failed, message: /Post-Base Name Reference/ }, 'with N');
  // A positive Delta Base is fine when nothing is referenced (§4.5.1.2).
  t.same(decode(hex('0005 d1')), [[':method', 'GET']]);
});

t.test('static index out of range (RFC 9204 §3.1)', async (t) => {
  t.same(decode(hex('0000 ff23')), [['x-frame-options', 'sameorigin']], 'index 98 is the last');
  t.throws(() => decode(hex('0000 ff24')), { code: 'QPACK_DECOMPRESSION_FAILED', message: /index 99 out of range/ });
  t.throws(() => decode(hex('0000 5f54 00')), { code: 'QPACK_DECOMPRESSION_FAILED', message: /index 99/ });
  t.throws(() => decode(hex('0000 ff ff ff ff 0f')), { code: 'QPACK_DECOMPRESSION_FAILED', message: /out of range/ });
});

t.test('truncated and oversized representations', async (t) => {
  const failed = { code: 'QPACK_DECOMPRESSION_FAILED' };
  for (const bytes of ['', '00', '00ff', '0000ff', '0000 51', '0000 5103 2f', '0000 5188 f1', '0000 23 6162', '0000 2f', '0000 21 61']) {
    t.throws(() => decode(hex(bytes)), { ...failed, message: /ends inside/ }, `truncated: ${bytes || '(empty)'}`);
  }
  t.throws(() => decode(hex('0000 5f ff ff ff ff ff ff ff ff 7f')), { ...failed, scope: 'stream', message: /too large/ });
  t.throws(() => decode(hex('ff ff ff ff ff ff ff ff ff 7f 00')), { ...failed, scope: 'stream' }, 'Required Insert Count too large');
});

t.test('Huffman errors inside a field section', async (t) => {
  t.throws(() => decode(hex('0000 5181 ff')), { code: 'QPACK_DECOMPRESSION_FAILED', message: /longer than 7 bits/ });
  t.throws(() => decode(hex('0000 5184 ffffffff')), { code: 'QPACK_DECOMPRESSION_FAILED', message: /EOS/ });
  t.throws(() => decode(hex('0000 29 18 00')), { code: 'QPACK_DECOMPRESSION_FAILED', message: /not a prefix/ }, 'in a literal name');
  t.same(decode(hex('0000 29 1f 00')), [['a', '']], 'Huffman literal name');
});

t.test('uppercase literal names are a malformed message (RFC 9114 §4.2)', async (t) => {
  t.throws(() => decode(hex('0000 23 414243 00')), { code: 'H3_MESSAGE_ERROR', wireCode: 0x10e, scope: 'stream' });
  t.throws(() => decode(hex('0000 33 61426d 00')), { code: 'H3_MESSAGE_ERROR' }, 'with the N bit');
  t.same(decode(hex('0000 33 616263 0178')), [['abc', 'x']], 'the N bit is accepted');
});

t.test('any byte survives in values (Latin-1 byte strings)', async (t) => {
  const value = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
  t.same(decode(encodeFieldSection([['x-bytes', value]])), [['x-bytes', value]]);
});

const nameArb = fc.oneof(
  fc.constantFrom(...QPACK_STATIC_TABLE.map(([name]) => name)),
  fc.stringMatching(/^[a-z0-9!#$%&'*+.^_`|~-]{1,20}$/),
  fc.stringMatching(/^:[a-z]{1,10}$/),
);
const valueArb = fc.oneof(
  fc.constantFrom(...QPACK_STATIC_TABLE.map(([, value]) => value)),
  fc.string({ unit: 'binary', maxLength: 40 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
);
const fieldsArb = fc.array(fc.tuple(nameArb, valueArb), { maxLength: 30 }) as fc.Arbitrary<Field[]>;

t.test('round trips of random field lists (property)', async (t) => {
  fc.assert(
    fc.property(fieldsArb, (fields) => {
      const encoded = encodeFieldSection(fields);
      const decoded = decodeFieldSection(encoded, { maxFieldSectionSize: fieldSectionSize(fields) });
      return JSON.stringify(decoded) === JSON.stringify(fields);
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

const allowed = new Set(['QPACK_DECOMPRESSION_FAILED', 'H3_EXCESSIVE_LOAD', 'H3_MESSAGE_ERROR']);
function decodesOrTypedError(bytes: Uint8Array, max = 4096): boolean {
  try {
    const fields = decodeFieldSection(bytes, { maxFieldSectionSize: max });
    return fieldSectionSize(fields) <= max;
  } catch (error) {
    return error instanceof Http3Error && allowed.has(error.code);
  }
}

t.test('fuzz: random bytes only ever raise typed errors', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodesOrTypedError(bytes)), { numRuns: 5000 });
  // Random bodies behind a valid prefix reach the field line decoders more often.
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 300 }), (bytes, max) =>
      decodesOrTypedError(Buffer.concat([hex('0000'), bytes]), max),
    ),
    { numRuns: 5000 },
  );
  t.pass();
});

t.test('fuzz: mutated valid sections only raise typed errors', async (t) => {
  fc.assert(
    fc.property(fieldsArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (fields, flips, cut) => {
      const bytes = Buffer.from(encodeFieldSection(fields));
      for (const [at, value] of flips) bytes[at % bytes.length] = value;
      return decodesOrTypedError(bytes.subarray(0, bytes.length - (cut % 3)), 100000);
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
