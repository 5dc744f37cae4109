import t from 'tap';
import fc from 'fast-check';
import { MAX_VARINT, VARINT_CLAMPED, encodeVarint, readVarint, readVarintBigInt, varintLengthFromFirstByte, varintSize, writeVarint } from '../src/h3/varint.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

t.test('RFC 9000 Appendix A.1 examples', async (t) => {
  // 8 bytes, above 2^53: exact only as a bigint; clamped as a number.
  const big = hex('c2197c5eff14e88c');
  t.same(readVarintBigInt(big, 0), { value: 151288809941952652n, size: 8 });
  t.same(readVarint(big, 0), { value: VARINT_CLAMPED, size: 8 });
  t.same(encodeVarint(151288809941952652n), big);
  t.same(readVarint(hex('9d7f3e7d'), 0), { value: 494878333, size: 4 });
  t.same(encodeVarint(494878333), hex('9d7f3e7d'));
  t.same(readVarint(hex('7bbd'), 0), { value: 15293, size: 2 });
  t.same(encodeVarint(15293), hex('7bbd'));
  t.same(readVarint(hex('25'), 0), { value: 37, size: 1 });
  t.same(encodeVarint(37), hex('25'));
  // A non-minimal encoding of 37 is valid too (RFC 9000 §16).
  t.same(readVarint(hex('4025'), 0), { value: 37, size: 2 });
  t.same(readVarintBigInt(hex('4025'), 0), { value: 37n, size: 2 });
});

t.test('sizes and boundaries', async (t) => {
  const cases: [number | bigint, number][] = [
    [0, 1], [63, 1], [64, 2], [16383, 2], [16384, 4], [2 ** 30 - 1, 4], [2 ** 30, 8],
    [Number.MAX_SAFE_INTEGER, 8], [MAX_VARINT, 8], [0n, 1], [64n, 2], [16384n, 4], [2n ** 30n, 8],
  ];
  for (const [value, size] of cases) {
    t.equal(varintSize(value), size, `size of ${value}`);
    const encoded = encodeVarint(value);
    t.equal(encoded.length, size);
    t.equal(readVarintBigInt(encoded, 0)!.value, BigInt(value));
    t.equal(varintLengthFromFirstByte(encoded[0]!), size);
  }
  t.same(encodeVarint(MAX_VARINT), hex('ffffffffffffffff'));
  t.equal(readVarint(encodeVarint(Number.MAX_SAFE_INTEGER), 0)!.value, Number.MAX_SAFE_INTEGER);
  // Just above 2^53-1 with top bits small: clamped after the loop.
  t.equal(readVarint(encodeVarint(2n ** 53n), 0)!.value, VARINT_CLAMPED);
  t.equal(readVarint(encodeVarint(2n ** 53n - 1n), 0)!.value, 2 ** 53 - 1);
});

t.test('refuses values that are not varints', async (t) => {
  for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, NaN, Infinity]) {
    t.throws(() => encodeVarint(bad), RangeError, String(bad));
  }
  t.throws(() => encodeVarint(-1n), RangeError);
  t.throws(() => encodeVarint(MAX_VARINT + 1n), RangeError);
});

t.test('incomplete input is null, at any offset', async (t) => {
  t.equal(readVarint(Buffer.alloc(0), 0), null);
  t.equal(readVarintBigInt(Buffer.alloc(0), 0), null);
  const full = hex('c2197c5eff14e88c');
  for (let n = 1; n < 8; n++) {
    t.equal(readVarint(full.subarray(0, n), 0), null);
    t.equal(readVarintBigInt(full.subarray(0, n), 0), null);
  }
  t.equal(readVarint(hex('00 40'), 1), null);
  t.same(readVarint(hex('00 4025'), 1), { value: 37, size: 2 });
});

t.test('writeVarint writes in place', async (t) => {
  const buf = Buffer.alloc(12, 0xaa);
  let at = writeVarint(buf, 1, 15293);
  at = writeVarint(buf, at, 151288809941952652n);
  t.equal(at, 11);
  t.same(buf, hex('aa 7bbd c2197c5eff14e88c aa'));
});

t.test('round trip (property)', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: MAX_VARINT }), (value) => {
      const encoded = encodeVarint(value);
      const read = readVarintBigInt(encoded, 0)!;
      const asNumber = readVarint(encoded, 0)!;
      const expected = value > BigInt(Number.MAX_SAFE_INTEGER) ? VARINT_CLAMPED : Number(value);
      return read.value === value && read.size === encoded.length && asNumber.value === expected;
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (value) => {
      const encoded = encodeVarint(value);
      return readVarint(encoded, 0)!.value === value && encoded.length === varintSize(value);
    }),
  );
  t.pass();
});
