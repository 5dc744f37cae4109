/** Compression and decompression (RFC 7692 §7.2): the RFC's examples byte for byte, the bomb, the zlib quirks. */
import t from 'tap';
import { constants, createDeflateRaw } from 'node:zlib';
import { compressedBound, type DeflateParams } from '@wstack/protocol';
import { PerMessageDeflate } from '../src/deflate.js';
import { Limiter, zlibLimiter } from '../src/zlib-limiter.js';
import { hex } from '../../protocol/test/helpers.js';

const FULL: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const NO_CONTEXT: DeflateParams = { ...FULL, serverNoContextTakeover: true, clientNoContextTakeover: true };
const HELLO = Buffer.from('Hello');

t.test('§7.2.3.1: "Hello" compresses to f2 48 cd c9 c9 07 00', async (t) => {
  const server = new PerMessageDeflate(FULL, 'server');
  t.same(await server.compress(HELLO, true), hex('f2 48 cd c9 c9 07 00'));
  server.close();
});

t.test('§7.2.3.2: a second "Hello" sharing the window is f2 00 11 00 00; without context takeover it is whole again', async (t) => {
  const shared = new PerMessageDeflate(FULL, 'server');
  await shared.compress(HELLO, true);
  t.same(await shared.compress(HELLO, true), hex('f2 00 11 00 00'));
  shared.close();
  const fresh = new PerMessageDeflate(NO_CONTEXT, 'server');
  await fresh.compress(HELLO, true);
  t.same(await fresh.compress(HELLO, true), hex('f2 48 cd c9 c9 07 00'));
  fresh.close();
  const client = new PerMessageDeflate(FULL, 'client');
  t.same(await client.decompress(hex('f2 48 cd c9 c9 07 00'), 100), HELLO);
  t.same(await client.decompress(hex('f2 00 11 00 00'), 100), HELLO, 'the receiver keeps the window too');
  client.close();
});

t.test('§7.2.3.3–§7.2.3.5: a stored block, BFINAL set, two blocks', async (t) => {
  const client = new PerMessageDeflate(FULL, 'client');
  t.same(await client.decompress(hex('00 05 00 fa ff 48 65 6c 6c 6f 00'), 100), HELLO, 'stored block');
  t.same(await client.decompress(hex('f3 48 cd c9 c9 07 00 00'), 100), HELLO, 'BFINAL=1');
  t.same(await client.decompress(hex('f2 48 cd c9 c9 07 00'), 100), HELLO, 'a new stream after a final block');
  t.same(await client.decompress(hex('f2 48 05 00 00 00 ff ff ca c9 c9 07 00'), 100), HELLO, 'two blocks');
  client.close();
});

t.test('an empty last fragment still ends the message: 00, not nothing', async (t) => {
  // zlib flushes nothing when nothing new was written; an empty payload would leave the
  // receiver's inflater in the middle of a stored block header and break the next message.
  const sender = new PerMessageDeflate(FULL, 'client');
  const receiver = new PerMessageDeflate(FULL, 'server');
  for (let round = 0; round < 3; round++) {
    const head = await sender.compress(Buffer.from('Hel'), false);
    const empty = await sender.compress(Buffer.alloc(0), false);
    t.equal(empty.length, 0, 'an empty middle fragment adds nothing');
    const tail = await sender.compress(Buffer.alloc(0), true);
    t.same(tail, hex('00'));
    t.same(await receiver.decompress(Buffer.concat([head, empty, tail]), 100), Buffer.from('Hel'), `round ${round}`);
    t.same(await receiver.decompress(await sender.compress(HELLO, true), 100), HELLO, 'and the next message is intact');
  }
  sender.close();
  receiver.close();
});

t.test('§7.2.3.6: an empty message is a single 00; fragments join into one stream', async (t) => {
  const server = new PerMessageDeflate(NO_CONTEXT, 'server');
  t.same(await server.compress(Buffer.alloc(0), true), hex('00'));
  const client = new PerMessageDeflate(NO_CONTEXT, 'client');
  t.same(await client.decompress(hex('00'), 0), Buffer.alloc(0));
  const first = await server.compress(Buffer.from('Hel'), false);
  t.same(first.subarray(-4), hex('00 00 ff ff'), 'a non-final fragment keeps the sync flush');
  const last = await server.compress(Buffer.from('lo'), true);
  t.same(await client.decompress(Buffer.concat([first, last]), 100), HELLO);
  server.close();
  client.close();
});

t.test('a bomb stops after the limit plus at most one zlib chunk', async (t) => {
  // 1 GiB of zeros deflates to about 1 MiB.
  const bomb = await new Promise<Buffer>((resolve) => {
    const deflate = createDeflateRaw({ level: 9 });
    const chunks: Buffer[] = [];
    deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    const zeros = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < 64; i++) deflate.write(zeros);
    deflate.flush(constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(chunks).subarray(0, -4)));
  });
  t.ok(bomb.length < 1.1 * 1024 * 1024, `1 GiB in ${bomb.length} bytes`);
  const limit = 4 * 1024 * 1024;
  const receiver = new PerMessageDeflate(FULL, 'server');
  const error = (await receiver.decompress(bomb, limit).then(
    () => undefined,
    (e: Error) => e,
  )) as Error & { code: string; closeCode: number };
  t.match(error, { name: 'ProtocolError', code: 'MESSAGE_TOO_LARGE', closeCode: 1009 });
  const inflated = Number(/stopped after (\d+)/.exec(error.message)![1]);
  t.ok(inflated > limit && inflated <= limit + constants.Z_DEFAULT_CHUNK, `stopped after ${inflated} bytes: at most ${constants.Z_DEFAULT_CHUNK} past the limit`);
  t.same(await receiver.decompress(hex('f2 48 cd c9 c9 07 00'), 100), HELLO, 'a fresh stream serves the next message');
  receiver.close();
});

t.test('data that is not DEFLATE fails with 1007', async (t) => {
  for (const params of [FULL, NO_CONTEXT]) {
    const receiver = new PerMessageDeflate(params, 'server');
    await t.rejects(receiver.decompress(hex('ff ff ff ff'), 100), { name: 'ProtocolError', code: 'INVALID_COMPRESSED_DATA', closeCode: 1007 });
    t.same(await receiver.decompress(hex('f2 48 cd c9 c9 07 00'), 100), HELLO, 'and the next message gets a fresh stream');
    receiver.close();
  }
});

t.test('window bits 8: zlib compresses with 9, which a 256-byte window still reads', async (t) => {
  const small: DeflateParams = { ...FULL, serverMaxWindowBits: 8, clientMaxWindowBits: 8 };
  const server = new PerMessageDeflate(small, 'server');
  const client = new PerMessageDeflate(small, 'client');
  // Repeats 300 bytes apart: a 512-byte window could reach them, a 256-byte one could not.
  const block = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
  const text = Buffer.concat(Array.from({ length: 200 }, (_, i) => (i % 3 ? block : Buffer.from(`line ${i}\n`))));
  for (let round = 0; round < 3; round++) {
    const compressed = await server.compress(text, true);
    t.ok(compressed.length < text.length, `round ${round}: ${text.length} → ${compressed.length}`);
    t.same(await client.decompress(compressed, text.length), text);
  }
  server.close();
  client.close();
});

t.test('without context takeover, streams come from a shared pool, which keeps a bounded number idle', async (t) => {
  // 20 messages in fragments hold 20 streams at once; 16 go back to the pool, the rest are closed.
  const endpoints = Array.from({ length: 20 }, () => new PerMessageDeflate(NO_CONTEXT, 'server'));
  const heads = await Promise.all(endpoints.map((endpoint) => endpoint.compress(Buffer.from('Hel'), false)));
  const tails = await Promise.all(endpoints.map((endpoint) => endpoint.compress(Buffer.from('lo'), true)));
  const receiver = new PerMessageDeflate(NO_CONTEXT, 'client');
  t.same(await receiver.decompress(Buffer.concat([heads[0]!, tails[0]!]), 10), HELLO);
  const outputs = await Promise.all(endpoints.map((endpoint) => endpoint.compress(HELLO, true)));
  t.ok(outputs.every((output) => output.equals(hex('f2 48 cd c9 c9 07 00'))), 'pooled streams start afresh');
  // Inflating holds a stream only for one job: let 20 run at once.
  zlibLimiter.concurrency = 32;
  t.teardown(() => {
    zlibLimiter.concurrency = 10;
  });
  const receivers = Array.from({ length: 20 }, () => new PerMessageDeflate(NO_CONTEXT, 'client'));
  const inflated = await Promise.all(receivers.map((r) => r.decompress(hex('f2 48 cd c9 c9 07 00'), 10)));
  t.ok(inflated.every((output) => output.equals(HELLO)));
  for (const endpoint of [...endpoints, ...receivers, receiver]) endpoint.close();
});

t.test('closing while a job runs frees the stream once the job ends', async (t) => {
  for (const params of [FULL, NO_CONTEXT]) {
    const endpoint = new PerMessageDeflate(params, 'server');
    const compressing = endpoint.compress(Buffer.alloc(100000, 1), false);
    endpoint.close();
    t.ok((await compressing).length > 0, 'the running job still finishes');
    const receiver = new PerMessageDeflate(params, 'client');
    const inflating = receiver.decompress(hex('f2 48 cd c9 c9 07 00'), 100);
    receiver.close();
    t.same(await inflating, HELLO);
    endpoint.close();
  }
});

t.test('a zlib error while compressing rejects the job', async (t) => {
  const endpoint = new PerMessageDeflate(FULL, 'server');
  await endpoint.compress(HELLO, false);
  const stream = (endpoint as unknown as { deflater: NodeJS.EventEmitter }).deflater;
  const job = endpoint.compress(HELLO, true);
  stream.emit('error', new Error('zlib failed'));
  await t.rejects(job, { message: 'zlib failed' });
  endpoint.close();
});

t.test('compressed frames may exceed their message a little; the bound says how much', async (t) => {
  t.equal(compressedBound(0), 64);
  t.ok(compressedBound(1 << 20) > (1 << 20) + (1 << 20) / 4096);
});

t.test('the limiter runs at most its concurrency, in order', async (t) => {
  const limiter = new Limiter(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const job = (n: number) => async () => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    order.push(n);
    running--;
    return n;
  };
  const results = await Promise.all([1, 2, 3, 4, 5].map((n) => limiter.run(job(n))));
  t.same(results, [1, 2, 3, 4, 5]);
  t.equal(most, 2);
  t.same(order.slice(0, 2).sort(), [1, 2]);
  await t.rejects(limiter.run(async () => Promise.reject(new Error('job failed'))), { message: 'job failed' });
  t.equal(await limiter.run(async () => 'after a failure'), 'after a failure', 'a failed job frees its slot');
});
