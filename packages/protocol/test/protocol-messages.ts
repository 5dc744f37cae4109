/** Messages, fragments, ping/pong and the send-side rules. */
import t from 'tap';
import { Opcode } from '../src/frame.js';
import { Protocol } from '../src/protocol.js';
import { clientFrame, hex, plain, rawFrame, receive } from './helpers.js';

t.test('fragments with control frames between them; empty fragments', async (t) => {
  const { events, protocol } = receive(
    { role: 'server' },
    clientFrame(Opcode.TEXT, 'ab', { fin: false }),
    clientFrame(Opcode.PING, 'p1'),
    clientFrame(Opcode.CONTINUATION, '', { fin: false }),
    clientFrame(Opcode.PONG, 'p2'),
    clientFrame(Opcode.CONTINUATION, 'c'),
    clientFrame(Opcode.BINARY, ''),
    clientFrame(Opcode.TEXT, ''),
  );
  t.same(plain(events), [
    { type: 'ping', data: '7031' },
    { type: 'pong', data: '7032' },
    { type: 'text', data: 'abc' },
    { type: 'binary', data: '' },
    { type: 'text', data: '' },
  ]);
  t.same(Buffer.concat(protocol.dataToSend()), hex('8a 02 70 31'), 'one automatic pong');
});

t.test('autoPong can be turned off', async (t) => {
  const { events, protocol } = receive({ role: 'server', autoPong: false }, clientFrame(Opcode.PING, 'x'));
  t.same(plain(events), [{ type: 'ping', data: '78' }]);
  t.same(protocol.dataToSend(), []);
  protocol.pong('x');
  t.same(Buffer.concat(protocol.dataToSend()), hex('8a 01 78'));
});

t.test('a frame within one chunk is handed out without a copy', async (t) => {
  const wire = rawFrame(Opcode.BINARY, Buffer.from('zero-copy'));
  const client = new Protocol({ role: 'client' });
  client.receiveData(wire);
  const [event] = client.eventsReceived();
  t.ok(event?.type === 'message' && event.data.buffer === wire.buffer, 'the message is a view of the chunk');
});

t.test('a masked frame split across chunks is unmasked piece by piece', async (t) => {
  const payload = Buffer.from('0123456789abcdef'.repeat(10));
  const wire = clientFrame(Opcode.BINARY, payload);
  for (const size of [1, 2, 3, 5, 7, 64]) {
    const server = new Protocol({ role: 'server' });
    // A chunk given to the protocol is its own (unmasked in place): give each run a copy.
    for (let i = 0; i < wire.length; i += size) server.receiveData(Buffer.from(wire.subarray(i, i + size)));
    t.same(plain(server.eventsReceived()), [{ type: 'binary', data: payload.toString('hex') }], `chunks of ${size}`);
  }
});

t.test('Uint8Array input that is not a Buffer', async (t) => {
  const client = new Protocol({ role: 'client' });
  const wire = rawFrame(Opcode.TEXT, Buffer.from('hi'));
  client.receiveData(new Uint8Array(wire));
  client.receiveData(new Uint8Array(0));
  t.same(plain(client.eventsReceived()), [{ type: 'text', data: 'hi' }]);
});

t.test('sending: fragments and their rules', async (t) => {
  const server = new Protocol({ role: 'server' });
  t.throws(() => server.sendContinuation('x', true), { name: 'UsageError', code: 'INVALID_STATE' });
  server.sendBinary(Buffer.from([1]), false);
  t.throws(() => server.sendText('x'), { code: 'INVALID_STATE' });
  t.throws(() => server.sendBinary(Buffer.alloc(0)), { code: 'INVALID_STATE' });
  server.ping('interleaved');
  server.sendContinuation(Buffer.from([2]), false);
  server.sendContinuation(new Uint8Array([3]), true);
  server.sendText('next');
  const out = Buffer.concat(server.dataToSend());
  t.same(out, Buffer.concat([hex('02 01 01'), rawFrame(Opcode.PING, Buffer.from('interleaved')), hex('00 01 02 80 01 03'), rawFrame(Opcode.TEXT, Buffer.from('next'))]));
});

t.test('control payloads of at most 125 bytes', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.ping(Buffer.alloc(125));
  server.pong('é'.repeat(62) + 'a');
  t.equal(server.dataToSend().length, 2);
  t.throws(() => server.ping(Buffer.alloc(126)), { code: 'INVALID_ARGUMENT' });
  t.throws(() => server.pong('é'.repeat(63)), { code: 'INVALID_ARGUMENT' });
});

t.test('a message split at every byte gives the same events', async (t) => {
  const wire = Buffer.concat([
    clientFrame(Opcode.TEXT, 'héllo wörld', { fin: false }),
    clientFrame(Opcode.PING, 'x'),
    clientFrame(Opcode.CONTINUATION, ' ✓ 😀'),
    clientFrame(Opcode.BINARY, Buffer.alloc(300, 7)),
    clientFrame(Opcode.CLOSE, hex('03 e8 6f 6b')),
  ]);
  const whole = plain(receive({ role: 'server' }, wire).events);
  t.equal(whole.length, 4);
  for (let cut = 1; cut < wire.length; cut++) {
    t.same(plain(receive({ role: 'server' }, wire.subarray(0, cut), wire.subarray(cut)).events), whole);
  }
  const single = new Protocol({ role: 'server' });
  for (const byte of wire) single.receiveData(Buffer.from([byte]));
  t.same(plain(single.eventsReceived()), whole, 'one byte at a time');
});
