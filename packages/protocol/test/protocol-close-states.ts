/** The close states that say who acted (RFC 6455 §7), an owner that answers the peer's close itself, and prepared frames. */
import t from 'tap';
import { encodeFrame } from '../src/serializer.js';
import { Opcode } from '../src/frame.js';
import { Protocol } from '../src/protocol.js';
import { clientFrame, fixedMask, hex, plain, rawFrame } from './helpers.js';

t.test('who acted: each path through the closing handshake', async (t) => {
  const us = new Protocol({ role: 'server' });
  t.equal(us.closeState, 'open');
  us.close(1000);
  t.equal(us.closeState, 'closedByUs');
  us.receiveData(clientFrame(Opcode.CLOSE, hex('03 e8')));
  t.equal(us.closeState, 'acknowledgedByPeer');
  t.ok(us.closeSentFirst);

  const peer = new Protocol({ role: 'server' });
  peer.receiveData(clientFrame(Opcode.CLOSE, hex('03 e9')));
  t.equal(peer.closeState, 'closedByPeer');
  peer.dataToSend();
  t.equal(peer.closeState, 'acknowledgedByUs');
  t.notOk(peer.closeSentFirst);

  const ended = new Protocol({ role: 'client', maskSource: fixedMask });
  ended.close(1000);
  ended.receiveEof();
  t.equal(ended.closeState, 'ended');
  t.ok(ended.closeSentFirst, 'this side closed, and the peer never answered');
  t.equal(ended.closeCode, 1006);

  const failed = new Protocol({ role: 'server' });
  failed.fail(1011);
  t.equal(failed.closeState, 'failed');
  t.ok(failed.outputEnded);
});

t.test('answerClose: false leaves the answer to the owner', async (t) => {
  const server = new Protocol({ role: 'server', answerClose: false });
  server.receiveData(Buffer.concat([clientFrame(Opcode.TEXT, 'q'), clientFrame(Opcode.CLOSE, hex('0f a0'))]));
  t.same(plain(server.eventsReceived()), [{ type: 'text', data: 'q' }, { type: 'close', code: 4000, reason: '' }]);
  t.same(server.dataToSend(), [], 'no answer on its own');
  t.equal(server.closeState, 'closedByPeer');
  t.notOk(server.outputEnded, 'the output stays open while the answer is owed');
  server.receiveEof();
  t.notOk(server.outputEnded, 'even after the peer\'s stream ended');
  server.sendText('a');
  server.close();
  t.same(Buffer.concat(server.dataToSend()), Buffer.concat([rawFrame(Opcode.TEXT, Buffer.from('a')), hex('88 02 0f a0')]), 'close() without a code echoes the peer\'s code');
  t.equal(server.closeState, 'acknowledgedByUs');
  t.ok(server.outputEnded);

  const empty = new Protocol({ role: 'server', answerClose: false });
  empty.receiveData(clientFrame(Opcode.CLOSE, ''));
  empty.close();
  t.same(Buffer.concat(empty.dataToSend()), hex('88 00'), 'a close without a code is answered by an empty one');
});

t.test('answerClose: false leaves a failure\'s close to the owner', async (t) => {
  const server = new Protocol({ role: 'server', answerClose: false });
  server.receiveData(rawFrame(Opcode.TEXT, Buffer.from('unmasked')));
  const [event] = server.eventsReceived();
  t.equal(event?.type, 'error');
  t.equal(server.closeState, 'failing');
  t.same(server.dataToSend(), []);
  server.close(1000);
  t.same(server.dataToSend(), [], 'close() does not replace the owed failure');
  server.fail(1002);
  t.same(Buffer.concat(server.dataToSend()), hex('88 02 03 ea'));
  t.equal(server.closeState, 'failed');
  t.ok(server.outputEnded);
});

t.test('a server sends frames framed elsewhere as they are', async (t) => {
  const server = new Protocol({ role: 'server', maxMessageSize: 1000 });
  t.equal(server.maxMessageSize, 1000);
  const frames = encodeFrame(Opcode.BINARY, Buffer.from([1, 2, 3]), { fin: true });
  server.sendFrames(frames);
  t.same(Buffer.concat(server.dataToSend()), rawFrame(Opcode.BINARY, Buffer.from([1, 2, 3])));
  server.sendBinary(Buffer.from([1]), false);
  t.throws(() => server.sendFrames(frames), { code: 'INVALID_STATE' }, 'not between the fragments of a message');
  const client = new Protocol({ role: 'client', maskSource: fixedMask });
  t.throws(() => client.sendFrames(frames), { code: 'INVALID_STATE' }, 'a client masks every frame');
});
