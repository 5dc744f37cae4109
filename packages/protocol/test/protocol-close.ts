/** The closing handshake (§5.5.1, §7) and end of stream, in both roles. */
import t from 'tap';
import { Opcode } from '../src/frame.js';
import { Protocol } from '../src/protocol.js';
import { clientFrame, fixedMask, hex, plain, rawFrame } from './helpers.js';

const serverClose = (body: string) => rawFrame(Opcode.CLOSE, hex(body));

t.test('server closes first; client echoes; server ends the transport', async (t) => {
  const server = new Protocol({ role: 'server' });
  const client = new Protocol({ role: 'client', maskSource: fixedMask });
  server.close(1000, 'done');
  t.equal(server.state, 'CLOSING');
  t.ok(server.closeSentFirst);
  t.notOk(server.outputEnded, 'the server waits for the answer');
  for (const chunk of server.dataToSend()) client.receiveData(chunk);
  t.same(plain(client.eventsReceived()), [{ type: 'close', code: 1000, reason: 'done' }]);
  t.equal(client.state, 'CLOSING', 'the answer is owed until the next dataToSend()');
  t.equal(client.closeSent, undefined);
  const answer = client.dataToSend();
  t.equal(client.state, 'CLOSED');
  t.notOk(client.closeSentFirst);
  t.notOk(client.outputEnded, 'a client waits for the server to end the transport (§7.1.1)');
  t.same(client.closeSent, { code: 1000, reason: '' });
  for (const chunk of answer) server.receiveData(chunk);
  t.same(plain(server.eventsReceived()), [{ type: 'close', code: 1000, reason: '' }]);
  t.equal(server.state, 'CLOSED');
  t.ok(server.outputEnded, 'the server ends the transport after the handshake');
  t.equal(server.closeCode, 1000);
  t.equal(client.closeCode, 1000);
  t.equal(client.closeReason, 'done');
  client.receiveEof();
  t.ok(client.outputEnded);
});

t.test('client closes first', async (t) => {
  const client = new Protocol({ role: 'client', maskSource: fixedMask });
  client.close(4001, 'app');
  t.equal(client.state, 'CLOSING');
  client.receiveData(serverClose('0f a1'));
  t.same(plain(client.eventsReceived()), [{ type: 'close', code: 4001, reason: '' }]);
  t.same(client.dataToSend().length, 1, 'only the first close frame was sent');
  t.equal(client.state, 'CLOSED');
  t.ok(client.closeSentFirst);
  t.same(client.closeReceived, { code: 4001, reason: '' });
  t.notOk(client.outputEnded);
});

t.test('an empty close frame is answered by an empty one and reads as 1005', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.receiveData(clientFrame(Opcode.CLOSE, ''));
  t.same(plain(server.eventsReceived()), [{ type: 'close', code: 1005, reason: '' }]);
  t.same(Buffer.concat(server.dataToSend()), hex('88 00'));
  t.equal(server.closeCode, 1005);
  t.ok(server.outputEnded);
});

t.test('close() without a code sends an empty body; a close is sent once', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.close();
  server.close(1000);
  server.fail(1011);
  t.same(Buffer.concat(server.dataToSend()), hex('88 00'), 'fail after close sends no second close frame');
  t.equal(server.state, 'CLOSED');
  t.ok(server.outputEnded);
  t.throws(() => server.close(1005), { code: 'INVALID_ARGUMENT' }, 'arguments are checked in any state');
});

t.test('data after the peer\'s close frame is discarded, even in the same chunk', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.receiveData(Buffer.concat([clientFrame(Opcode.TEXT, 'a'), clientFrame(Opcode.CLOSE, hex('03 e8')), clientFrame(Opcode.TEXT, 'b')]));
  t.same(plain(server.eventsReceived()), [{ type: 'text', data: 'a' }, { type: 'close', code: 1000, reason: '' }]);
  server.receiveData(clientFrame(Opcode.TEXT, 'c'));
  t.same(server.eventsReceived(), []);
});

t.test('messages still arrive while this side waits for the close answer', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.close(1001);
  server.receiveData(clientFrame(Opcode.TEXT, 'late'));
  server.receiveData(clientFrame(Opcode.PING, 'p'));
  t.same(plain(server.eventsReceived()), [{ type: 'text', data: 'late' }, { type: 'ping', data: '70' }]);
  t.equal(server.dataToSend().length, 1, 'no pong after this side sent its close (§5.5.3)');
  t.throws(() => server.sendText('no'), { code: 'INVALID_STATE' });
  t.throws(() => server.ping(), { code: 'INVALID_STATE' });
});

t.test('EOF without a close frame is an abnormal closure (1006)', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.receiveData(clientFrame(Opcode.TEXT, 'abc').subarray(0, 4));
  server.receiveEof();
  t.equal(server.state, 'CLOSED');
  t.equal(server.closeCode, 1006);
  t.equal(server.closeReason, '');
  t.ok(server.outputEnded, 'the write side ends too');
  t.same(server.dataToSend(), [], 'no close frame into a half-closed stream');
  server.receiveData(clientFrame(Opcode.TEXT, 'x'));
  t.same(server.eventsReceived(), []);
  t.throws(() => server.sendBinary(Buffer.alloc(1)), { code: 'INVALID_STATE' });
  server.close(1000);
  t.same(server.dataToSend(), [], 'close after EOF sends nothing');
});

t.test('the application fails the connection', async (t) => {
  const client = new Protocol({ role: 'client', maskSource: fixedMask });
  client.fail(1008, 'policy');
  t.equal(client.state, 'CLOSED');
  t.ok(client.outputEnded, 'a failing client ends the transport itself (§7.1.7)');
  t.ok(client.closeSentFirst);
  t.same(client.closeSent, { code: 1008, reason: 'policy' });
  t.throws(() => client.fail(1006), { code: 'INVALID_ARGUMENT' });
  const answered = new Protocol({ role: 'client', maskSource: fixedMask });
  answered.receiveData(serverClose('03 e8'));
  answered.fail(1011);
  t.notOk(answered.closeSentFirst, 'the peer closed first');
  t.equal(answered.dataToSend().length, 1);
});

t.test('messages that came with the peer\'s close can still be answered, ahead of the close answer', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.receiveData(Buffer.concat([clientFrame(Opcode.TEXT, 'question'), clientFrame(Opcode.CLOSE, hex('03 e8'))]));
  t.same(plain(server.eventsReceived()), [{ type: 'text', data: 'question' }, { type: 'close', code: 1000, reason: '' }]);
  server.sendText('answer');
  t.same(Buffer.concat(server.dataToSend()), Buffer.concat([rawFrame(Opcode.TEXT, Buffer.from('answer')), hex('88 02 03 e8')]));
  t.equal(server.state, 'CLOSED');
  t.ok(server.outputEnded);
  t.throws(() => server.sendText('too late'), { code: 'INVALID_STATE' });
});

t.test('close() or fail() before the answer went out is the answer', async (t) => {
  const server = new Protocol({ role: 'server' });
  server.receiveData(clientFrame(Opcode.CLOSE, hex('03 e8')));
  server.close(4000, 'mine');
  t.same(Buffer.concat(server.dataToSend()), Buffer.concat([hex('88 06 0f a0'), Buffer.from('mine')]));
  t.notOk(server.closeSentFirst, 'the peer closed first');
  t.equal(server.state, 'CLOSED');
  t.ok(server.outputEnded);
  const failing = new Protocol({ role: 'client', maskSource: fixedMask });
  failing.receiveData(serverClose('03 e8'));
  failing.fail(1011);
  t.same(failing.closeSent, { code: 1011, reason: '' });
  t.equal(failing.dataToSend().length, 1, 'one close frame');
});
