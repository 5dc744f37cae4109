/**
 * Masking keys (RFC 6455 §5.3): each frame a client sends needs a fresh key
 * from a strong source of entropy. Keys are cut from a pool of crypto-random
 * bytes, refilled when spent, so a frame costs no system call.
 */
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';

/** Writes a 4-byte masking key at `target[offset]`. Injectable for deterministic tests. */
export type MaskSource = (target: Uint8Array, offset: number) => void;

const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let position = POOL_SIZE;

export const randomMaskSource: MaskSource = (target, offset) => {
  if (position === POOL_SIZE) {
    randomFillSync(pool);
    position = 0;
  }
  target[offset] = pool[position]!;
  target[offset + 1] = pool[position + 1]!;
  target[offset + 2] = pool[position + 2]!;
  target[offset + 3] = pool[position + 3]!;
  position += 4;
};
