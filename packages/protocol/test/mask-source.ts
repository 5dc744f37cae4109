import t from 'tap';
import { randomMaskSource } from '../src/mask-source.js';

t.test('keys come from the pool, 4 bytes at a time, and the pool refills', async (t) => {
  const keys = new Set<string>();
  const target = Buffer.alloc(6);
  // Two pools' worth of keys crosses a refill.
  for (let i = 0; i < 4096; i++) {
    randomMaskSource(target, 2);
    keys.add(target.subarray(2).toString('hex'));
  }
  t.same([...target.subarray(0, 2)], [0, 0], 'bytes before the offset are untouched');
  t.ok(keys.size > 4000, `distinct keys: ${keys.size}`);
});
