/** PreparedMessage: framed once for many server connections; compressed once where the output is shared. */
import t from 'tap';
import { WebSocketConnection } from '../src/connection.js';
import { type DeflateParams, Protocol } from '@wstack/protocol';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { PreparedMessage } from '../src/prepared-message.js';
import { closed, nextMessage, pair } from './connection-helpers.js';

const params = (serverNoContextTakeover: boolean): DeflateParams => ({ serverNoContextTakeover, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 });

function deflatePair(serverNoContextTakeover: boolean) {
  const [a, b] = createMemoryCarrierPair();
  const negotiated = { deflate: params(serverNoContextTakeover), extensions: 'permessage-deflate' };
  return {
    client: new WebSocketConnection('client', a, negotiated),
    server: new WebSocketConnection('server', b, negotiated, { compression: { threshold: 16 } }),
  };
}

t.test('the frames are the message, unmasked; text and binary', async (t) => {
  const text = new PreparedMessage('hello');
  t.equal(text.binary, false);
  t.same(Buffer.concat(text.frames), Buffer.from([0x81, 5, ...Buffer.from('hello')]));
  const binary = new PreparedMessage(new Uint8Array([1, 2]));
  t.equal(binary.binary, true);
  t.same(Buffer.concat(binary.frames), Buffer.from([0x82, 2, 1, 2]));
  t.equal(new PreparedMessage('as bytes', { binary: true }).binary, true);
});

t.test('the protocol sends the same frame buffers, as a server and between messages only', async (t) => {
  const message = new PreparedMessage('shared');
  const server = new Protocol({ role: 'server' });
  server.sendFrames(message.frames);
  t.equal(server.dataToSend()[0], message.frames[0], 'no copy');
  t.throws(() => new Protocol({ role: 'client' }).sendFrames(message.frames), { code: 'INVALID_STATE' });
  server.sendText('part', false);
  t.throws(() => server.sendFrames(message.frames), { code: 'INVALID_STATE' });
  server.sendContinuation('end', true);
  server.close(1000);
  t.throws(() => server.sendFrames(message.frames), { code: 'INVALID_STATE' });
});

t.test('one prepared message reaches many connections; a client sends it masked as usual', async (t) => {
  const message = new PreparedMessage('to everyone');
  const pairs = [pair(), pair(), pair({ server: { idleTimeout: 60_000 } })];
  const received = pairs.map(({ client }) => nextMessage(client));
  for (const { server } of pairs) t.equal(server.send(message), true);
  for (const [data, binary] of await Promise.all(received)) t.same([data.toString(), binary], ['to everyone', false]);
  const { client, server } = pair();
  const atServer = nextMessage(server);
  client.send(new PreparedMessage(Buffer.from([9])));
  t.same(await atServer, [Buffer.from([9]), true]);
  for (const connection of [client, server, ...pairs.flatMap(({ client, server }) => [client, server])]) connection.terminate();
});

t.test('with permessage-deflate: compressed once for connections without context takeover', async (t) => {
  const message = new PreparedMessage('a message worth compressing, a message worth compressing');
  let compressions = 0;
  const compressedAs = message.compressedAs.bind(message);
  message.compressedAs = (key, compress) =>
    compressedAs(key, (data) => {
      compressions++;
      return compress(data);
    });
  const stateless = [deflatePair(true), deflatePair(true)];
  const keeping = deflatePair(false);
  const all = [...stateless, keeping];
  const received = all.map(({ client }) => nextMessage(client));
  for (const { server } of all) server.send(message);
  for (const [data] of await Promise.all(received)) t.equal(data.toString(), message.data.toString());
  t.equal(compressions, 1, 'the two stateless connections shared one compression; the other compressed for itself');
  const small = new PreparedMessage('tiny');
  const below = nextMessage(stateless[0]!.client);
  stateless[0]!.server.send(small);
  t.equal((await below)[0].toString(), 'tiny', 'below the threshold: the plain frames');
  const optedOut = nextMessage(keeping.client);
  keeping.server.send(message, { compress: false });
  t.equal((await optedOut)[0].toString(), message.data.toString(), 'compress: false sends the plain frames');
  for (const { client, server } of all) {
    server.terminate();
    client.terminate();
  }
});

t.test('binary, and a compression finished after the close started is dropped', async (t) => {
  const binary = deflatePair(true);
  const bytes = new PreparedMessage(Buffer.alloc(1000, 7));
  const arrived = nextMessage(binary.client);
  binary.server.send(bytes);
  t.same(await arrived, [Buffer.alloc(1000, 7), true]);
  const { client, server } = deflatePair(true);
  let count = 0;
  client.on('message', () => count++);
  server.send(new PreparedMessage(Buffer.alloc(300000, 9)));
  (server as unknown as { engine: Protocol }).engine.close(1000);
  t.equal((await closed(client)).code, 1000);
  t.equal(count, 0);
  binary.server.terminate();
});

t.test('sends queued behind a compression are dropped, not thrown, when a close frame went out meanwhile', async (t) => {
  const { client, server } = deflatePair(true);
  const got: string[] = [];
  client.on('message', (data, binary) => got.push(binary ? `binary ${data.length}` : data.toString()));
  server.send(Buffer.alloc(300_000, 1));
  server.send('tail', { compress: false });
  server.send(new PreparedMessage('prepared tail'), { compress: false });
  server.ping();
  // As a failure does: the close frame goes out at once, ahead of the queue.
  (server as unknown as { engine: Protocol }).engine.close(1002);
  t.equal((await closed(client)).code, 1002);
  t.same(got, [], 'nothing after the close frame');
});
