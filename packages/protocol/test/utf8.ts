import t from 'tap';
import fc from 'fast-check';
import { Utf8Validator, isUtf8 } from '../src/utf8.js';

const bytes = (...values: number[]) => Buffer.from(values);

function validateInPieces(data: Buffer, cuts: number[]): boolean {
  const validator = new Utf8Validator();
  let at = 0;
  for (const cut of [...cuts, data.length]) {
    if (!validator.push(data.subarray(at, cut))) return false;
    at = cut;
  }
  return validator.complete;
}

t.test('valid text of every sequence length, split at every point', async (t) => {
  const text = Buffer.from('a\u00e9\u20ac\u{1F600}z\u07ff\uffff\u{10FFFF}\u0800\u{10000}');
  for (let cut = 0; cut <= text.length; cut++) {
    t.ok(validateInPieces(text, [cut]), `cut at ${cut}`);
  }
  for (let a = 0; a <= text.length; a++) {
    for (let b = a; b <= text.length; b++) t.ok(validateInPieces(text, [a, b]));
  }
});

t.test('Unicode Table 3-7 boundaries', async (t) => {
  const invalid: [string, number[]][] = [
    ['stray continuation', [0x80]],
    ['overlong C0', [0xc0, 0x80]],
    ['overlong C1', [0xc1, 0xbf]],
    ['overlong E0', [0xe0, 0x9f, 0x80]],
    ['surrogate ED A0', [0xed, 0xa0, 0x80]],
    ['overlong F0', [0xf0, 0x8f, 0x80, 0x80]],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['F5 lead', [0xf5, 0x80, 0x80, 0x80]],
    ['FF', [0xff]],
    ['lead then ASCII', [0xc3, 0x41]],
    ['truncated then new lead', [0xe2, 0x82, 0xe2]],
  ];
  for (const [name, sequence] of invalid) {
    const data = bytes(...sequence);
    for (let cut = 0; cut <= data.length; cut++) {
      t.notOk(validateInPieces(data, [cut]), `${name}, cut at ${cut}`);
    }
    t.notOk(validateInPieces(data, [...data.keys()].slice(1)), `${name}, byte by byte`);
  }
  const valid: number[][] = [
    [0xe0, 0xa0, 0x80],
    [0xed, 0x9f, 0xbf],
    [0xf0, 0x90, 0x80, 0x80],
    [0xf4, 0x8f, 0xbf, 0xbf],
    [0xee, 0x80, 0x80],
  ];
  for (const sequence of valid) {
    t.ok(validateInPieces(bytes(...sequence), [...sequence.keys()].slice(1)), sequence.join(','));
  }
});

t.test('fails on the piece that proves the text invalid, not at the end', async (t) => {
  const validator = new Utf8Validator();
  t.ok(validator.push(Buffer.from('κόσμε')));
  // F4 90 cannot begin any code point: known after two bytes, before the rest.
  t.ok(validator.push(bytes(0xf4)));
  t.notOk(validator.push(bytes(0x90)));
  const second = new Utf8Validator();
  t.ok(second.push(bytes(0x61, 0xce)));
  t.notOk(second.complete, 'an open code point is not complete');
  t.notOk(second.push(bytes(0x62)), 'ASCII where a continuation belongs');
});

t.test('an open code point at the end is incomplete; reset forgets it', async (t) => {
  const validator = new Utf8Validator();
  t.ok(validator.push(bytes(0xf0, 0x9f)));
  t.notOk(validator.complete);
  t.ok(validator.push(Buffer.alloc(0)), 'an empty piece changes nothing');
  t.notOk(validator.complete);
  validator.reset();
  t.ok(validator.complete);
  t.ok(validator.push(Buffer.from('ok')));
});

t.test('agrees with buffer.isUtf8 on random bytes split anywhere', async () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.nat(64), { maxLength: 6 }), (data, rawCuts) => {
      const buffer = Buffer.from(data);
      const cuts = rawCuts.map((c) => Math.min(c, buffer.length)).sort((a, b) => a - b);
      return validateInPieces(buffer, cuts) === isUtf8(buffer);
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(200), (text, cut) => {
      const buffer = Buffer.from(text);
      return validateInPieces(buffer, [Math.min(cut, buffer.length)]);
    }),
    { numRuns: 2000 },
  );
});
