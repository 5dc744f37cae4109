import t from 'tap';
import { loadWasmMasker, leb, WASM_SLICE } from '../src/mask-wasm.js';
import { loadNativeMasker } from '../src/mask-native.js';
import { maskBytes, maskWords, NATIVE_FROM, nativeKernel, nativeMaskAvailable, sizeDispatch, wasmKernel, WASM_FROM, WORDS_FROM, xorMask, type MaskKernel } from '../src/mask.js';

const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** The definition of §5.3, one byte at a time. */
function reference(source: Uint8Array, phase: number): Buffer {
  return Buffer.from(source.map((byte, i) => byte ^ key[(phase + i) & 3]!));
}

const wasm = loadWasmMasker();
const native = loadNativeMasker();
const kernels: [string, MaskKernel][] = [
  ['bytes', maskBytes],
  ['words', maskWords],
  ['dispatch', xorMask],
  ['dispatch without simd', sizeDispatch(null)],
  ['dispatch with simd, without native', sizeDispatch(wasm)],
  ...(wasm ? [['wasm', wasmKernel(wasm)] as [string, MaskKernel]] : []),
  ...(native ? [['native', nativeKernel(native)], ['dispatch with native', sizeDispatch(wasm, native)]] as [string, MaskKernel][] : []),
];

t.test('WebAssembly SIMD is available on the Node versions we support', async (t) => {
  t.ok(wasm, 'Node 20 and later have wasm SIMD');
});

const lengths = [0, 1, 3, 4, 5, 15, 16, 17, WORDS_FROM - 1, WORDS_FROM, 100, NATIVE_FROM - 1, NATIVE_FROM, WASM_FROM - 1, WASM_FROM, WASM_FROM + 5, WASM_SLICE + 7];
for (const [name, kernel] of kernels) {
  t.test(`${name}: every length, alignment and phase matches §5.3, in place and into another buffer`, async (t) => {
    let checked = 0;
    for (const length of lengths) {
      for (const offset of [0, 1, 2, 3]) {
        for (const phase of [0, 1, 2, 3]) {
          const backing = Buffer.alloc(length + offset);
          for (let i = 0; i < backing.length; i++) backing[i] = (i * 31 + 7) & 0xff;
          const source = backing.subarray(offset);
          const expected = reference(source, phase);
          const original = Buffer.from(source);
          const target = Buffer.alloc(length + 2).subarray(2 - (offset & 1));
          kernel(source, key, phase, target.subarray(0, length));
          if (!target.subarray(0, length).equals(expected)) t.fail(`copy: length ${length} offset ${offset} phase ${phase}`);
          if (!source.equals(original)) t.fail('the source was written to');
          kernel(source, key, phase, source);
          if (!source.equals(expected)) t.fail(`in place: length ${length} offset ${offset} phase ${phase}`);
          checked++;
        }
      }
    }
    t.equal(checked, lengths.length * 16);
  });
}

t.test('masking twice restores the payload', async (t) => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog'.repeat(100));
  const copy = Buffer.from(data);
  xorMask(copy, key, 3, copy);
  t.not(copy.toString(), data.toString());
  xorMask(copy, key, 3, copy);
  t.same(copy, data);
});

t.test('an invalid module is refused, so the JS kernels are used', async (t) => {
  t.equal(loadWasmMasker(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0)), null);
});

t.test('LEB128 as the binary format encodes it', async (t) => {
  t.same(leb(0), [0]);
  t.same(leb(127), [0x7f]);
  t.same(leb(128), [0x80, 0x01]);
  t.same(leb(624485), [0xe5, 0x8e, 0x26]);
});

t.test('bufferutil, an optional dependency installed here, masks the large payloads', async (t) => {
  t.ok(native, 'the compiled addon loads');
  t.equal(nativeMaskAvailable, true);
});

t.test('without a usable bufferutil the addon is left alone', async (t) => {
  t.equal(loadNativeMasker(undefined, { WSTACK_NO_NATIVE: '1' }), null, 'WSTACK_NO_NATIVE turns it off');
  const missing = () => {
    throw new Error("Cannot find module 'bufferutil'");
  };
  t.equal(loadNativeMasker(missing, {}), null, 'not installed');
  // bufferutil falls back to a JavaScript loop when its compiled part is missing; ours are faster.
  const fallback = { mask: () => {}, unmask: () => {} };
  t.equal(loadNativeMasker(() => fallback, {}), null, 'only the JavaScript fallback');
  t.ok(loadNativeMasker(undefined, {}), 'the default loader finds the installed addon');
});
