/** The examples of RFC 6455 §5.7, byte for byte, in both directions. */
import t from 'tap';
import { Protocol } from '../src/protocol.js';
import { fixedMask, hex, plain, receive } from './helpers.js';

const HELLO = Buffer.from('Hello');
const binary256 = Buffer.alloc(256, 0xab);
const binary64k = Buffer.alloc(65536, 0xcd);

t.test('a single-frame unmasked text message', async (t) => {
  const { events } = receive({ role: 'client' }, hex('81 05 48 65 6c 6c 6f'));
  t.same(plain(events), [{ type: 'text', data: 'Hello' }]);
  const server = new Protocol({ role: 'server' });
  server.sendText('Hello');
  t.same(Buffer.concat(server.dataToSend()), hex('81 05 48 65 6c 6c 6f'));
});

t.test('a single-frame masked text message', async (t) => {
  const { events } = receive({ role: 'server' }, hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  t.same(plain(events), [{ type: 'text', data: 'Hello' }]);
  const client = new Protocol({ role: 'client', maskSource: fixedMask });
  client.sendText('Hello');
  t.same(Buffer.concat(client.dataToSend()), hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  client.sendText(HELLO);
  t.same(Buffer.concat(client.dataToSend()), hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'));
  t.equal(HELLO.toString(), 'Hello', 'the caller\'s buffer is not masked in place');
});

t.test('a fragmented unmasked text message', async (t) => {
  const { events } = receive({ role: 'client' }, hex('01 03 48 65 6c'), hex('80 02 6c 6f'));
  t.same(plain(events), [{ type: 'text', data: 'Hello' }]);
  const server = new Protocol({ role: 'server' });
  server.sendText('Hel', false);
  server.sendContinuation('lo', true);
  t.same(Buffer.concat(server.dataToSend()), hex('01 03 48 65 6c 80 02 6c 6f'));
});

t.test('unmasked ping and masked pong', async (t) => {
  const client = new Protocol({ role: 'client', maskSource: fixedMask });
  client.receiveData(hex('89 05 48 65 6c 6c 6f'));
  t.same(plain(client.eventsReceived()), [{ type: 'ping', data: HELLO.toString('hex') }]);
  // The automatic pong carries the ping's payload (§5.5.3), masked as in §5.7.
  t.same(Buffer.concat(client.dataToSend()), hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
  const server = new Protocol({ role: 'server' });
  server.ping('Hello');
  t.same(Buffer.concat(server.dataToSend()), hex('89 05 48 65 6c 6c 6f'));
  server.receiveData(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
  t.same(plain(server.eventsReceived()), [{ type: 'pong', data: HELLO.toString('hex') }]);
});

t.test('256 bytes binary message in a single unmasked frame', async (t) => {
  const wire = Buffer.concat([hex('82 7e 01 00'), binary256]);
  const { events } = receive({ role: 'client' }, wire);
  t.same(plain(events), [{ type: 'binary', data: binary256.toString('hex') }]);
  const server = new Protocol({ role: 'server' });
  server.sendBinary(binary256);
  t.same(Buffer.concat(server.dataToSend()), wire);
});

t.test('64KiB binary message in a single unmasked frame', async (t) => {
  const wire = Buffer.concat([hex('82 7f 00 00 00 00 00 01 00 00'), binary64k]);
  const { events } = receive({ role: 'client' }, wire);
  t.equal(events.length, 1);
  t.same(events[0], { type: 'message', binary: true, compressed: false, data: binary64k });
  const server = new Protocol({ role: 'server' });
  server.sendBinary(binary64k);
  const out = server.dataToSend();
  t.equal(out.length, 2, 'a large unmasked payload is its own chunk');
  t.equal(out[1], binary64k, 'and is not copied');
  t.same(Buffer.concat(out), wire);
});
