/**
 * Masking (RFC 6455 §5.3): byte i of the payload is XORed with byte
 * (i MOD 4) of the masking key. `phase` is the key position of the first
 * byte, so that a frame can be unmasked piece by piece as its bytes arrive.
 *
 * Three kernels, each the fastest for some sizes (measured by
 * `pnpm bench:codec`; see benchmarks/README.md): a byte loop for tiny
 * payloads, a 32-bit word loop for small ones, and a WebAssembly SIMD loop
 * for the rest, which pays for copying in and out of its memory. When the
 * bufferutil addon is installed, it takes the large payloads instead: it
 * works in place, without those copies.
 */
import { Buffer } from 'node:buffer';
import { loadNativeMasker, type NativeMasker } from './mask-native.js';
import { loadWasmMasker, WASM_SLICE, type WasmMasker } from './mask-wasm.js';

export { loadWasmMasker, loadNativeMasker };

/** XORs `source` with the key into `target` (which may be `source` itself; same length). */
export type MaskKernel = (source: Uint8Array, key: Uint8Array, phase: number, target: Uint8Array) => void;

/** From this payload size on, the word loop beats the byte loop. */
export const WORDS_FROM = 64;
/** From this payload size on, the SIMD kernel beats the word loop. */
export const WASM_FROM = 1024;

export const maskBytes: MaskKernel = (source, key, phase, target) => {
  for (let i = 0; i < source.length; i++) target[i] = source[i]! ^ key[(phase + i) & 3]!;
};

const wordBytes = new Uint8Array(4);
const wordView = new Int32Array(wordBytes.buffer);

/** The key as a native-endian 32-bit word whose first byte is key[start & 3]. */
function keyWord(key: Uint8Array, start: number): number {
  for (let j = 0; j < 4; j++) wordBytes[j] = key[(start + j) & 3]!;
  return wordView[0]!;
}

export const maskWords: MaskKernel = (source, key, phase, target) => {
  if (source !== target) target.set(source);
  const length = target.length;
  // Bytes one by one up to the first 4-aligned address, then whole words.
  const head = Math.min((4 - (target.byteOffset & 3)) & 3, length);
  let i = 0;
  for (; i < head; i++) target[i]! ^= key[(phase + i) & 3]!;
  const words = (length - i) >>> 2;
  if (words !== 0) {
    const word = keyWord(key, phase + i);
    const view = new Int32Array(target.buffer, target.byteOffset + i, words);
    // Unrolled by four: twice the speed of the plain loop on V8 (measured).
    const unrolled = words & ~3;
    let w = 0;
    for (; w < unrolled; w += 4) {
      view[w]! ^= word;
      view[w + 1]! ^= word;
      view[w + 2]! ^= word;
      view[w + 3]! ^= word;
    }
    for (; w < words; w++) view[w]! ^= word;
  }
  for (i += words * 4; i < length; i++) target[i]! ^= key[(phase + i) & 3]!;
};

/** The SIMD kernel over a loaded module. */
export function wasmKernel(wasm: WasmMasker): MaskKernel {
  return (source, key, phase, target) => {
    // Slices are a multiple of 4 bytes long, so every slice starts at `phase`.
    const word = keyWord(key, phase);
    for (let at = 0; at < source.length; at += WASM_SLICE) {
      const n = Math.min(WASM_SLICE, source.length - at);
      wasm.memory.set(source.subarray(at, at + n));
      wasm.mask(n, word);
      target.set(wasm.memory.subarray(0, n), at);
    }
  };
}

/** From this payload size on, the native addon (when installed) beats the word loop: below it, the call costs more than it saves. */
export const NATIVE_FROM = 256;

/** The native addon's kernel. */
export function nativeKernel(native: NativeMasker): MaskKernel {
  // The key turned so that its first byte is the one for `phase`.
  const turned = Buffer.alloc(4);
  return (source, key, phase, target) => {
    for (let j = 0; j < 4; j++) turned[j] = key[(phase + j) & 3]!;
    if (source === target) native.unmask(target, turned);
    else native.mask(source, turned, target, 0, source.length);
  };
}

/**
 * Picks the fastest kernel for each payload size: the native addon for large
 * payloads when there is one, else SIMD; without either, words do the large
 * ones too.
 */
export function sizeDispatch(wasm: WasmMasker | null, native: NativeMasker | null = null): MaskKernel {
  const large = native !== null ? nativeKernel(native) : wasm === null ? maskWords : wasmKernel(wasm);
  const largeFrom = native !== null ? NATIVE_FROM : WASM_FROM;
  return (source, key, phase, target) => {
    const length = source.length;
    if (length < WORDS_FROM) maskBytes(source, key, phase, target);
    else if (length < largeFrom) maskWords(source, key, phase, target);
    else large(source, key, phase, target);
  };
}

const wasm = loadWasmMasker();
const native = loadNativeMasker();

/** Whether the SIMD kernel is in use (false where WebAssembly SIMD is missing). */
export const wasmMaskAvailable = wasm !== null;

/** Whether the bufferutil addon masks the large payloads. */
export const nativeMaskAvailable = native !== null;

/** Masks with the kernel that is fastest for the payload's size. */
export const xorMask: MaskKernel = sizeDispatch(wasm, native);
