/** whenFlushed: a callback once everything sent so far has left for the network (the WHATWG bufferedAmount's signal). */
import t from 'tap';
import { WebSocketConnection } from '../src/connection.js';
import type { DeflateParams } from '@wstack/protocol';
import type { Carrier } from '../src/carrier.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { closed, pair, sleep, tick } from './connection-helpers.js';

t.test('never synchronously; once the peer has read the bytes (the memory carrier\'s network)', async (t) => {
  const { client, server } = pair();
  const seen: string[] = [];
  client.whenFlushed(() => seen.push('nothing sent'));
  client.send('one');
  client.whenFlushed(() => seen.push('one'));
  client.send('two');
  client.whenFlushed(() => seen.push('two'));
  t.same(seen, [], 'not during the call');
  await sleep(20);
  t.same(seen, ['nothing sent', 'one', 'two'], 'in order');
  client.close();
  await closed(server);
});

t.test('a peer that does not read holds the callback until it reads', async (t) => {
  const { client, server } = pair({ carrier: { highWaterMark: 1024 } });
  server.pause();
  let flushed = false;
  client.send(Buffer.alloc(4096));
  client.whenFlushed(() => (flushed = true));
  await sleep(20);
  t.equal(flushed, false);
  server.resume();
  await sleep(20);
  t.equal(flushed, true);
  client.close();
  await closed(server);
});

t.test('behind sends still being compressed', async (t) => {
  const [a, b] = createMemoryCarrierPair();
  const deflate: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const client = new WebSocketConnection('client', a, { deflate });
  const server = new WebSocketConnection('server', b, { deflate });
  const seen: string[] = [];
  client.send('x'.repeat(10_000));
  client.whenFlushed(() => seen.push('compressed and read'));
  client.send('y'.repeat(10_000));
  t.same(seen, []);
  server.once('message', () => seen.push('message'));
  await sleep(50);
  t.same(seen, ['compressed and read', 'message']);
  client.close();
  await closed(server);
});

t.test('never once the connection is gone', async (t) => {
  const { client, server } = pair();
  server.pause();
  let flushed = false;
  client.send(Buffer.alloc(256 * 1024));
  client.whenFlushed(() => (flushed = true));
  client.terminate();
  await closed(client);
  client.whenFlushed(() => (flushed = true));
  await sleep(20);
  t.equal(flushed, false);
});

t.test('a carrier that cannot tell: flushed once it took the bytes, on a later tick', async (t) => {
  const carrier: Carrier = {
    transport: 'h2',
    endsAfterCloseFrame: true,
    bufferedAmount: 0,
    attach: () => undefined,
    write: () => true,
    end: () => undefined,
    abort: () => undefined,
    pause: () => undefined,
    resume: () => undefined,
  };
  const connection = new WebSocketConnection('client', carrier);
  let flushed = false;
  connection.send('x');
  connection.whenFlushed(() => (flushed = true));
  t.equal(flushed, false);
  await tick();
  t.equal(flushed, true);
});
