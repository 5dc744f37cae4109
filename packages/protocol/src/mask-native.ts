/**
 * bufferutil, the native masking addon that ws uses, when the application
 * has it installed (an optional dependency): it masks in place, where the
 * WebAssembly kernel has to copy the payload into its memory and back, so
 * it is the faster of the two for large payloads (`pnpm bench`, section 1).
 * Without it, or with WSTACK_NO_NATIVE set, everything stays in JavaScript
 * and WebAssembly.
 */
import { createRequire } from 'node:module';

export interface NativeMasker {
  /** XORs `length` bytes of `source` with `mask` into `output` from `offset`. */
  mask(source: Uint8Array, mask: Uint8Array, output: Uint8Array, offset: number, length: number): void;
  /** XORs `buffer` with `mask` in place. */
  unmask(buffer: Uint8Array, mask: Uint8Array): void;
}

type Load = (id: string) => unknown;

/**
 * The addon, or null: disabled by WSTACK_NO_NATIVE, not installed, or
 * installed without its compiled part (bufferutil then falls back to a
 * JavaScript loop slower than ours).
 */
export function loadNativeMasker(load: Load = createRequire(import.meta.url), env: NodeJS.ProcessEnv = process.env): NativeMasker | null {
  if (env.WSTACK_NO_NATIVE) return null;
  let addon: NativeMasker;
  try {
    addon = load('bufferutil') as NativeMasker;
  } catch {
    return null;
  }
  const compiled = Function.prototype.toString.call(addon.unmask).includes('[native code]');
  return compiled ? addon : null;
}
