/**
 * Masking kernels against each other and against the ceilings (Buffer.copy,
 * a plain byte XOR loop), in place, per payload size. The crossover points
 * printed at the end are the thresholds `@wstack/core` dispatches on.
 *
 *   pnpm bench:codec [--quick]
 */
import { loadWasmMasker, maskBytes, maskWords, sizeDispatch, wasmKernel, WASM_FROM, WORDS_FROM } from '@wstack/protocol/mask';

const quick = process.argv.includes('--quick');
const SIZES = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 16384, 65536, 262144, 1048576];
const BUDGET_NS = BigInt(quick ? 40e6 : 250e6);
const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);

/** Bytes processed per nanosecond (= GB/s) by `run` over buffers of `size`. */
function rate(size: number, run: (buffer: Buffer) => void): number {
  const buffer = Buffer.alloc(size, 0x5a);
  for (let i = 0; i < 2000; i++) run(buffer); // warm up the JIT
  let rounds = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const batch = Math.max(1, Math.floor(262144 / size));
  while (elapsed < BUDGET_NS) {
    for (let i = 0; i < batch; i++) run(buffer);
    rounds += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  return (rounds * size) / Number(elapsed);
}

const wasm = loadWasmMasker();
const copyTarget = Buffer.alloc(SIZES[SIZES.length - 1]!);
const kernels: [string, (buffer: Buffer) => void][] = [
  ['Buffer.copy', (b) => b.copy(copyTarget)],
  ['bytes', (b) => maskBytes(b, key, 0, b)],
  ['words', (b) => maskWords(b, key, 0, b)],
  ...(wasm ? [['wasm simd', ((k) => (b: Buffer) => k(b, key, 0, b))(wasmKernel(wasm))] as [string, (b: Buffer) => void]] : []),
  ['xorMask (dispatch)', ((k) => (b: Buffer) => k(b, key, 0, b))(sizeDispatch(wasm))],
];

console.log(`masking in place, GB/s — node ${process.version}, ${process.arch}${wasm ? '' : ', no wasm SIMD'}`);
console.log(['size', ...kernels.map(([name]) => name)].map((c) => c.padStart(18)).join(''));
for (const size of SIZES) {
  const cells = kernels.map(([, run]) => rate(size, run).toFixed(2));
  console.log([String(size), ...cells].map((c) => c.padStart(18)).join(''));
}
console.log(`thresholds in use: words from ${WORDS_FROM} B, wasm simd from ${WASM_FROM} B`);
