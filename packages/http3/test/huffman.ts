import t from 'tap';
import type { Test } from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { HUFFMAN_DECODER_STATES, huffmanDecode, huffmanEncode, huffmanEncodedLength } from '../src/h3/huffman.js';
import { HUFFMAN_CODES, HUFFMAN_EOS } from '../src/h3/huffman-table.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const code = (symbol: number) => HUFFMAN_CODES[2 * symbol]!;
const len = (symbol: number) => HUFFMAN_CODES[2 * symbol + 1]!;

t.test('the table: 257 codes, complete, canonical', async (t) => {
  t.equal(HUFFMAN_CODES.length, 2 * 257);
  t.equal(HUFFMAN_EOS, 256);
  // Kraft sum exactly 1 (in units of 2^-30): every bit string decodes.
  let kraft = 0;
  for (let s = 0; s <= 256; s++) {
    t.ok(len(s) >= 5 && len(s) <= 30, `length of ${s}`);
    t.ok(code(s) < 2 ** len(s), `code of ${s} fits its length`);
    kraft += 2 ** (30 - len(s));
  }
  t.equal(kraft, 2 ** 30);
  // The RFC's code is the canonical code of its lengths: sorted by (length,
  // symbol), each code is the previous plus one, shifted to the new length.
  const order = Array.from({ length: 257 }, (_, s) => s).sort((a, b) => len(a) - len(b) || a - b);
  let expected = 0;
  let previous = len(order[0]!);
  order.forEach((s, i) => {
    if (i > 0) expected = (expected + 1) * 2 ** (len(s) - previous);
    previous = len(s);
    if (code(s) !== expected) t.fail(`symbol ${s}: 0x${code(s).toString(16)} != 0x${expected.toString(16)}`);
  });
  // Spot checks against RFC 7541 Appendix B.
  t.same([code(0x30), len(0x30)], [0x0, 5]);
  t.same([code(0x20), len(0x20)], [0x14, 6]);
  t.same([code(0x7f), len(0x7f)], [0xffffffc, 28]);
  t.same([code(0xff), len(0xff)], [0x3ffffee, 26]);
  t.same([code(256), len(256)], [0x3fffffff, 30]);
  t.equal(HUFFMAN_DECODER_STATES, 256, 'one state per inner node of a full tree of 257 leaves');
});

t.test('RFC 7541 Appendix C.4 and C.6 examples', async (t) => {
  const vectors: [string, string][] = [
    ['www.example.com', 'f1e3 c2e5 f23a 6ba0 ab90 f4ff'],
    ['no-cache', 'a8eb 1064 9cbf'],
    ['custom-key', '25a8 49e9 5ba9 7d7f'],
    ['custom-value', '25a8 49e9 5bb8 e8b4 bf'],
    ['302', '6402'],
    ['private', 'aec3 771a 4b'],
    ['Mon, 21 Oct 2013 20:13:21 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff'],
    ['https://www.example.com', '9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3'],
    ['307', '640e ff'],
    ['Mon, 21 Oct 2013 20:13:22 GMT', 'd07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff'],
    ['gzip', '9bd9 ab'],
    [
      'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1',
      '94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07',
    ],
  ];
  for (const [text, encoded] of vectors) {
    t.same(huffmanEncode(text), hex(encoded), `encode ${text}`);
    t.equal(huffmanEncodedLength(text), hex(encoded).length);
    t.equal(huffmanDecode(hex(encoded)).toString('latin1'), text, `decode ${text}`);
  }
});

t.test('empty string', async (t) => {
  t.same(huffmanEncode(''), Buffer.alloc(0));
  t.equal(huffmanEncodedLength(new Uint8Array(0)), 0);
  t.same(huffmanDecode(new Uint8Array(0)), Buffer.alloc(0));
});

t.test('every byte value alone', async (t) => {
  for (let b = 0; b < 256; b++) {
    const encoded = huffmanEncode(Uint8Array.of(b));
    t.equal(encoded.length, Math.ceil(len(b) / 8));
    t.same(huffmanDecode(encoded), Buffer.of(b), `byte ${b}`);
  }
});

t.test('round trips of random byte strings (property)', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const encoded = huffmanEncode(bytes);
      return encoded.length === huffmanEncodedLength(bytes) && Buffer.from(bytes).equals(huffmanDecode(encoded));
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary-ascii' }), (text) => huffmanDecode(huffmanEncode(text)).toString('latin1') === text),
  );
  t.pass();
});

const rejects = (t: Test, bytes: Buffer, message: RegExp, name: string) =>
  t.throws(() => huffmanDecode(bytes), { name: 'Http3Error', code: 'QPACK_DECOMPRESSION_FAILED', message }, name);

t.test('rejects EOS in the string (RFC 7541 §5.2)', async (t) => {
  // 30 ones: EOS alone, then 2 bits of padding.
  rejects(t, hex('ffffffff'), /EOS/, 'EOS alone');
  // 'a' (00011) then EOS: 00011 + 30 ones + 5 bits pad = 40 bits.
  rejects(t, hex('1fffffffff'), /EOS/, 'a then EOS');
  // EOS completing in the first nibble of a byte: 4 bits of '0' prefix (00000 is '0', so use 'e' 00101)…
  // 'e' (00101) + EOS (30 ones) + 'a' (00011): EOS ends on bit 35, inside the high nibble of byte 5.
  const bits = '00101' + '1'.repeat(30) + '00011';
  const padded = bits + '1'.repeat((8 - (bits.length % 8)) % 8);
  rejects(t, Buffer.from(padded.match(/.{8}/g)!.map((b) => parseInt(b, 2))), /EOS/, 'EOS then more');
});

t.test('rejects padding longer than 7 bits', async (t) => {
  rejects(t, hex('ff'), /longer than 7 bits/, 'a whole byte of ones');
  // 'a' (00011) + 11 ones of padding.
  rejects(t, hex('1fff'), /longer than 7 bits/, 'a then 11 ones');
  // "no-cache" followed by a byte of ones.
  rejects(t, hex('a8eb10649cbfff'), /longer than 7 bits/, 'valid string plus a byte of ones');
});

t.test('rejects padding that is not a prefix of EOS', async (t) => {
  // 'a' (00011) + 000 padding.
  rejects(t, hex('18'), /not a prefix of EOS/, 'zero padding');
  // 'a' (00011) + 101.
  rejects(t, hex('1d'), /not a prefix of EOS/, 'mixed padding');
  // "www.example.com" with its final 0xff replaced by 0xfe: the last bit is a 0.
  rejects(t, hex('f1e3c2e5f23a6ba0ab90f4fe'), /not a prefix of EOS/, 'last bit zero');
});

t.test('random input decodes or throws Http3Error only', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        huffmanDecode(bytes);
        return true;
      } catch (error) {
        return error instanceof Http3Error && error.code === 'QPACK_DECOMPRESSION_FAILED';
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
