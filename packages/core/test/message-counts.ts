/** What a connection carried: messages and their payload bytes each way, as the application sees them (before compression, once inflated). */
import t from 'tap';
import { WebSocketConnection } from '../src/connection.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { PreparedMessage } from '../src/prepared-message.js';
import type { DeflateParams } from '@wstack/protocol';
import { closed, pair, tick } from './connection-helpers.js';

const NONE = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };

t.test('every kind of send counts once, strings by their UTF-8 bytes; the peer counts the same in', async (t) => {
  const { client, server } = pair();
  t.same(client.messageCounts, NONE);
  const received: Buffer[] = [];
  server.on('message', (data) => received.push(data));
  client.send('héllo'); // 6 bytes
  client.send(Buffer.from([1, 2, 3]));
  client.send(new Uint8Array([1, 2]).buffer);
  client.send(new PreparedMessage('prepared')); // a client frames it itself: counted once
  const writer = client.sendFragments({ binary: false });
  writer.write('ab');
  writer.end('cd');
  await tick();
  t.equal(received.length, 5);
  const sent = { messagesIn: 0, bytesIn: 0, messagesOut: 5, bytesOut: 6 + 3 + 2 + 8 + 4 };
  t.same(client.messageCounts, sent);
  t.same(server.messageCounts, { messagesIn: 5, bytesIn: 23, messagesOut: 0, bytesOut: 0 });
  server.send(new PreparedMessage(Buffer.alloc(10)));
  await tick();
  t.same(server.messageCounts, { messagesIn: 5, bytesIn: 23, messagesOut: 1, bytesOut: 10 }, 'a server sends a prepared message as framed');
  t.same(client.messageCounts, { ...sent, messagesIn: 1, bytesIn: 10 });
  client.close();
  await closed(server);
  t.same(server.messageCounts.messagesIn, 5, 'close frames and pings are not messages');
});

t.test('a send dropped above maxBufferedAmount is not counted', async (t) => {
  const { client, server } = pair({ client: { maxBufferedAmount: 4 } });
  server.pause();
  client.on('error', () => undefined);
  client.send(Buffer.alloc(64));
  client.send(Buffer.alloc(64));
  t.same(client.messageCounts, { ...NONE, messagesOut: 1, bytesOut: 64 });
  client.terminate();
  await closed(client);
});

t.test('with permessage-deflate the bytes are those before compression and after inflation', async (t) => {
  const deflate: DeflateParams = { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
  const [a, b] = createMemoryCarrierPair();
  const negotiated = { deflate, extensions: 'permessage-deflate' };
  const client = new WebSocketConnection('client', a, negotiated);
  const server = new WebSocketConnection('server', b, negotiated);
  const big = 'x'.repeat(5000);
  const received = new Promise<Buffer>((resolve) => server.once('message', resolve));
  client.send(big);
  t.equal((await received).length, 5000);
  t.same(server.messageCounts, { ...NONE, messagesIn: 1, bytesIn: 5000 });
  t.same(client.messageCounts, { ...NONE, messagesOut: 1, bytesOut: 5000 });
  const back = new Promise<Buffer>((resolve) => client.once('message', resolve));
  server.send(new PreparedMessage(Buffer.alloc(4000)));
  t.equal((await back).length, 4000);
  t.same(server.messageCounts, { messagesIn: 1, bytesIn: 5000, messagesOut: 1, bytesOut: 4000 }, 'a prepared message compressed once');
  t.same(client.messageCounts, { messagesIn: 1, bytesIn: 4000, messagesOut: 1, bytesOut: 5000 });
  client.terminate();
  await closed(server);
});
