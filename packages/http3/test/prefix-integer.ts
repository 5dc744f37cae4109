import t from 'tap';
import fc from 'fast-check';
import { encodePrefixInteger, prefixIntegerSize, readPrefixInteger, writePrefixInteger } from '../src/h3/prefix-integer.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const ctx = { code: 'QPACK_DECOMPRESSION_FAILED' } as const;

t.test('RFC 7541 Appendix C.1 examples', async (t) => {
  // C.1.1: 10 with a 5-bit prefix.
  t.same(encodePrefixInteger(10, 5), hex('0a'));
  t.same(readPrefixInteger(hex('0a'), 0, 5, ctx), { value: 10, size: 1 });
  // C.1.2: 1337 with a 5-bit prefix.
  t.same(encodePrefixInteger(1337, 5), hex('1f9a0a'));
  t.same(readPrefixInteger(hex('1f9a0a'), 0, 5, ctx), { value: 1337, size: 3 });
  // C.1.3: 42 at an octet boundary.
  t.same(encodePrefixInteger(42, 8), hex('2a'));
  t.same(readPrefixInteger(hex('2a'), 0, 8, ctx), { value: 42, size: 1 });
});

t.test('high bits are kept when writing and ignored when reading', async (t) => {
  t.same(encodePrefixInteger(3, 6, 0xc0), hex('c3'));
  t.same(encodePrefixInteger(63, 6, 0xc0), hex('ff00'));
  t.same(readPrefixInteger(hex('ff00'), 0, 6, ctx), { value: 63, size: 2 });
  const buf = Buffer.alloc(4);
  t.equal(writePrefixInteger(buf, 1, 300, 4, 0x50), 4);
  t.same(buf, hex('00 5f 9d 02'));
});

t.test('sizes', async (t) => {
  t.equal(prefixIntegerSize(30, 5), 1);
  t.equal(prefixIntegerSize(31, 5), 2);
  t.equal(prefixIntegerSize(31 + 127, 5), 2);
  t.equal(prefixIntegerSize(31 + 128, 5), 3);
  t.equal(prefixIntegerSize(Number.MAX_SAFE_INTEGER, 1), 9);
});

t.test('incomplete input is null', async (t) => {
  t.equal(readPrefixInteger(hex(''), 0, 5, ctx), null);
  t.equal(readPrefixInteger(hex('1f'), 0, 5, ctx), null);
  t.equal(readPrefixInteger(hex('1f9a'), 0, 5, ctx), null);
  t.equal(readPrefixInteger(hex('1f9a0a'), 3, 5, ctx), null);
});

t.test('refuses integers above 2^53-1 and overlong encodings', async (t) => {
  const max = encodePrefixInteger(Number.MAX_SAFE_INTEGER, 7);
  t.same(readPrefixInteger(max, 0, 7, ctx), { value: Number.MAX_SAFE_INTEGER, size: max.length });
  // 2^53: one more than the largest we decode.
  const over = hex('7f 81 ff ff ff ff ff ff 0f');
  t.throws(() => readPrefixInteger(over, 0, 7, ctx), { code: 'QPACK_DECOMPRESSION_FAILED', scope: 'connection' });
  // 2^62-ish, as a peer may send.
  t.throws(() => readPrefixInteger(hex('7f ff ff ff ff ff ff ff ff 3f'), 0, 7, { code: 'QPACK_ENCODER_STREAM_ERROR' }), {
    code: 'QPACK_ENCODER_STREAM_ERROR',
  });
  // Redundant zero groups: a value of 0 spread over 9 continuation bytes.
  t.throws(() => readPrefixInteger(hex('1f 80 80 80 80 80 80 80 80 00'), 0, 5, { code: 'QPACK_DECOMPRESSION_FAILED', scope: 'stream' }), {
    code: 'QPACK_DECOMPRESSION_FAILED',
    scope: 'stream',
  });
  // ...but 8 of them are still read.
  t.same(readPrefixInteger(hex('1f 80 80 80 80 80 80 80 00'), 0, 5, ctx), { value: 31, size: 9 });
  t.throws(() => writePrefixInteger(Buffer.alloc(10), 0, -1, 5, 0), RangeError);
  t.throws(() => writePrefixInteger(Buffer.alloc(10), 0, 2 ** 53, 5, 0), RangeError);
});

t.test('round trip for every prefix size (property)', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (bits, value) => {
      const encoded = encodePrefixInteger(value, bits);
      const read = readPrefixInteger(encoded, 0, bits, ctx)!;
      return encoded.length === prefixIntegerSize(value, bits) && read.value === value && read.size === encoded.length;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
