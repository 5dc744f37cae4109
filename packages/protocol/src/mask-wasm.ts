/**
 * A WebAssembly SIMD kernel for masking (RFC 6455 §5.3), assembled here from
 * its instructions so that no binary blob or build step is needed.
 *
 * The module exports its memory and one function, `mask(length, key)`, that
 * XORs the first `length` bytes of memory (rounded up to 64) with the 32-bit
 * `key` repeated, 64 bytes per loop turn (four 128-bit lanes). The caller
 * copies a payload in, calls it, and copies the result out.
 */

/** Bytes of memory the kernel works in; longer payloads go through in slices. */
export const WASM_SLICE = 256 * 1024;
const PAGES = WASM_SLICE / 65536;

// Opcodes of the WebAssembly core and SIMD specifications.
const I32 = 0x7f;
const V128 = 0x7b;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_GE_U = 0x4f;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const I32X4_SPLAT = 0x11;
const V128_XOR = 0x51;

/** Unsigned LEB128, the integer encoding of the binary format. */
export function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

const vector = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const name = (text: string): number[] => [...leb(text.length), ...[...text].map((c) => c.charCodeAt(0))];

// Locals: 0 = length, 1 = key (parameters), 2 = i, 3 = key splatted into a v128.
const xorLane = (offset: number): number[] => [
  LOCAL_GET, 2,
  LOCAL_GET, 2, SIMD, V128_LOAD, 4, offset, // align 2^4, offset
  LOCAL_GET, 3,
  SIMD, V128_XOR,
  SIMD, V128_STORE, 4, offset,
];

const code = [
  // locals: one i32 (i), one v128 (k)
  ...vector([
    [1, I32],
    [1, V128],
  ]),
  LOCAL_GET, 1, SIMD, I32X4_SPLAT, LOCAL_SET, 3,
  BLOCK, VOID,
  LOOP, VOID,
  LOCAL_GET, 2, LOCAL_GET, 0, I32_GE_U, BR_IF, 1,
  ...xorLane(0),
  ...xorLane(16),
  ...xorLane(32),
  ...xorLane(48),
  // i32.const takes a signed LEB128: 64 is c0 00 (a lone 0x40 would read as -64).
  LOCAL_GET, 2, I32_CONST, 0xc0, 0x00, I32_ADD, LOCAL_SET, 2,
  BR, 0,
  END,
  END,
  END,
];

const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  ...section(1, vector([[0x60, ...vector([[I32], [I32]]), 0]])), // type 0: (i32, i32) -> ()
  ...section(3, vector([[0]])), // function 0 has type 0
  ...section(5, vector([[0x00, ...leb(PAGES)]])), // one memory, PAGES pages, no maximum
  ...section(7, vector([
    [...name('memory'), 0x02, 0],
    [...name('mask'), 0x00, 0],
  ])),
  ...section(10, vector([[...leb(code.length), ...code]])),
]);

// The few WebAssembly declarations used here (@types/node 20 has none; they live in lib.dom).
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

export interface WasmMasker {
  /** The kernel's memory: copy the payload to offset 0. */
  memory: Uint8Array;
  /** XORs `length` bytes at offset 0 with `key` (a little-endian word) repeated. */
  mask: (length: number, key: number) => void;
}

/** The SIMD kernel, or null where WebAssembly SIMD is not available. */
export function loadWasmMasker(bytes: Uint8Array = moduleBytes): WasmMasker | null {
  if (!WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const exports = instance.exports as { memory: { buffer: ArrayBuffer }; mask: (length: number, key: number) => void };
  return { memory: new Uint8Array(exports.memory.buffer), mask: exports.mask };
}
