/** Tunnels: a carrier's bytes without the protocol, and two of them piped into each other. */
import t from 'tap';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { pipeTunnels, Tunnel } from '../src/tunnel.js';

/** Two tunnels piped into each other, and the far ends of both: a ⇄ [ta ⇄ tb] ⇄ b. */
function piped(highWaterMark?: number) {
  const options = highWaterMark === undefined ? {} : { highWaterMark };
  const [a, aFar] = createMemoryCarrierPair(options);
  const [bFar, b] = createMemoryCarrierPair(options);
  const ta = new Tunnel(aFar, { protocol: 'chat', extensions: 'permessage-deflate', path: '/p', headers: { host: 'x' } });
  const tb = new Tunnel(bFar);
  pipeTunnels(ta, tb);
  return { a: new Tunnel(a), b: new Tunnel(b), ta, tb };
}

const collect = (tunnel: Tunnel) => {
  const chunks: Buffer[] = [];
  tunnel.on('data', (chunk) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString();
};
const closeOf = (tunnel: Tunnel) => new Promise<Error | undefined>((resolve) => tunnel.once('close', resolve));

t.test('a tunnel shows what the handshake settled, and defaults to nothing', async (t) => {
  const { ta, tb } = piped();
  t.match(ta, { transport: 'http/1.1', protocol: 'chat', extensions: 'permessage-deflate', path: '/p', headers: { host: 'x' } });
  t.match(tb, { protocol: '', extensions: '', path: '', headers: {} });
  t.equal(ta.closed, false);
});

t.test('bytes cross both ways as they are; an end crosses, and both close cleanly', async (t) => {
  const { a, b } = piped();
  const atB = collect(b);
  const atA = collect(a);
  a.write(Buffer.from('\x81\x02hi'));
  b.write(Buffer.from('back'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(atB(), '\x81\x02hi');
  t.equal(atA(), 'back');
  const ended = new Promise((resolve) => b.once('end', resolve));
  const closes = [closeOf(a), closeOf(b)];
  a.end();
  await ended;
  b.end();
  t.same(await Promise.all(closes), [undefined, undefined], 'no error on either side');
});

t.test('an abort on one side aborts the other with its error', async (t) => {
  const { a, b, tb } = piped();
  const failure = new Error('gone');
  const closed = closeOf(b);
  a.abort(failure);
  t.ok(await closed, 'the far side closed with an error');
  t.ok(tb.closed);
});

t.test('a slow side pauses the other: what is written waits, then all of it arrives', async (t) => {
  const { a, b, tb } = piped(16);
  const atB = collect(b);
  b.pause();
  const payload = 'x'.repeat(200);
  for (let i = 0; i < 10; i++) a.write(Buffer.from(payload.slice(i * 20, i * 20 + 20)));
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.ok(tb.bufferedAmount > 0, 'bytes wait toward the paused side');
  t.ok(atB().length < payload.length, 'not everything got through');
  b.resume();
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(atB(), payload, 'everything arrived, in order');
});
