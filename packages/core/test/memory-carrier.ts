import t from 'tap';
import type { CarrierEvents } from '../src/carrier.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { sleep, tick } from './connection-helpers.js';

function recorder() {
  const log: string[] = [];
  const events: CarrierEvents = {
    data: (chunk) => log.push(`data ${chunk.length}`),
    end: () => log.push('end'),
    drain: () => log.push('drain'),
    close: (error) => log.push(error ? `close ${(error as NodeJS.ErrnoException).code ?? error.message}` : 'close'),
  };
  return { log, events };
}

t.test('bytes arrive copied, in segments, then end and close on both sides', async (t) => {
  const [a, b] = createMemoryCarrierPair();
  const ra = recorder();
  const rb = recorder();
  a.attach(ra.events);
  b.attach(rb.events);
  const payload = Buffer.alloc(300 * 1024, 1);
  t.equal(a.write([payload, Buffer.alloc(10)]), false, 'above the 64 KiB high-water mark');
  payload.fill(2);
  t.equal(a.bufferedAmount, 300 * 1024 + 10);
  a.end();
  t.equal(a.write([Buffer.alloc(1)]), false, 'no writes after end');
  a.end();
  await sleep(10);
  t.same(rb.log, ['data 262144', 'data 45066', 'end']);
  t.same(ra.log, ['drain']);
  b.end();
  await sleep(10);
  t.same(ra.log, ['drain', 'end', 'close']);
  t.same(rb.log, ['data 262144', 'data 45066', 'end', 'close']);
  t.equal(a.transport, 'http/1.1');
  t.equal(a.endsAfterCloseFrame, false);
});

t.test('pause holds data back until resume', async (t) => {
  const [a, b] = createMemoryCarrierPair({ highWaterMark: 4 });
  const rb = recorder();
  b.attach(rb.events);
  a.attach(recorder().events);
  b.pause();
  a.write([Buffer.alloc(3)]);
  await tick();
  t.same(rb.log, []);
  b.resume();
  await tick();
  t.same(rb.log, ['data 3']);
});

t.test('abort closes both sides at once, with an error on the other', async (t) => {
  const [a, b] = createMemoryCarrierPair();
  const ra = recorder();
  const rb = recorder();
  a.attach(ra.events);
  b.attach(rb.events);
  a.write([Buffer.alloc(5)]);
  a.abort();
  a.abort();
  t.equal(a.write([Buffer.alloc(1)]), false);
  a.end();
  await sleep(5);
  t.same(ra.log, ['close']);
  t.same(rb.log, ['close ECONNRESET'], 'undelivered bytes are lost, as with a reset');
  const [c, d] = createMemoryCarrierPair();
  const rc = recorder();
  c.attach(rc.events);
  c.abort(new Error('why'));
  await tick();
  t.same(rc.log, ['close why']);
  d.write([Buffer.alloc(1)]);
});
