/** Every wire violation of RFC 6455 §5 and every limit, with its close code. */
import t from 'tap';
import { Opcode } from '../src/frame.js';
import { Protocol } from '../src/protocol.js';
import { CLIENT_KEY, clientFrame, hex, plain, rawFrame, receive } from './helpers.js';

const server = { role: 'server' as const };
const client = { role: 'client' as const };

interface Case {
  name: string;
  options?: Parameters<typeof receive>[0];
  chunks: Buffer[];
  code: string;
  closeCode: number;
  /** Events expected before the error. */
  before?: unknown[];
}

const cases: Case[] = [
  { name: 'RSV1 without extension', chunks: [clientFrame(Opcode.TEXT, 'a', { rsv: 4 })], code: 'RSV_NOT_NEGOTIATED', closeCode: 1002 },
  { name: 'RSV2', chunks: [clientFrame(Opcode.TEXT, 'a', { rsv: 2 })], code: 'RSV_NOT_NEGOTIATED', closeCode: 1002 },
  { name: 'RSV3 on a ping', chunks: [clientFrame(Opcode.PING, 'a', { rsv: 1 })], code: 'RSV_NOT_NEGOTIATED', closeCode: 1002 },
  ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode) => ({
    name: `reserved opcode ${opcode}`,
    chunks: [clientFrame(opcode, 'x')],
    code: 'RESERVED_OPCODE',
    closeCode: 1002,
  })),
  { name: 'fragmented ping', chunks: [clientFrame(Opcode.PING, 'a', { fin: false })], code: 'CONTROL_FRAGMENTED', closeCode: 1002 },
  { name: 'ping of 126 bytes', chunks: [clientFrame(Opcode.PING, Buffer.alloc(126))], code: 'CONTROL_TOO_LONG', closeCode: 1002 },
  { name: 'close of 126 bytes', chunks: [clientFrame(Opcode.CLOSE, Buffer.alloc(126))], code: 'CONTROL_TOO_LONG', closeCode: 1002 },
  { name: 'continuation without a start', chunks: [clientFrame(Opcode.CONTINUATION, 'a')], code: 'UNEXPECTED_CONTINUATION', closeCode: 1002 },
  {
    name: 'text inside a fragmented message',
    chunks: [clientFrame(Opcode.TEXT, 'a', { fin: false }), clientFrame(Opcode.TEXT, 'b')],
    code: 'EXPECTED_CONTINUATION',
    closeCode: 1002,
  },
  {
    name: 'binary inside a fragmented message, after a ping between fragments',
    chunks: [clientFrame(Opcode.BINARY, 'a', { fin: false }), clientFrame(Opcode.PING, ''), clientFrame(Opcode.BINARY, 'b')],
    code: 'EXPECTED_CONTINUATION',
    closeCode: 1002,
    before: [{ type: 'ping', data: '' }],
  },
  { name: 'unmasked frame to a server', chunks: [rawFrame(Opcode.TEXT, Buffer.from('a'))], code: 'MASK_REQUIRED', closeCode: 1002 },
  {
    name: 'masked frame to a client',
    options: client,
    chunks: [rawFrame(Opcode.TEXT, Buffer.from('a'), { key: CLIENT_KEY })],
    code: 'MASK_FORBIDDEN',
    closeCode: 1002,
  },
  { name: '64-bit length with the top bit set', options: client, chunks: [hex('82 7f 80 00 00 00 00 00 00 00')], code: 'INVALID_LENGTH', closeCode: 1002 },
  { name: '64-bit length of 2^53', options: client, chunks: [hex('82 7f 00 20 00 00 00 00 00 00')], code: 'FRAME_TOO_LARGE', closeCode: 1009 },
  {
    name: 'frame over maxFrameSize, refused on its header alone',
    options: { role: 'client', maxFrameSize: 1000 },
    chunks: [hex('82 7e 03 e9')],
    code: 'FRAME_TOO_LARGE',
    closeCode: 1009,
  },
  {
    name: '2^53-1 refused by the default limit',
    options: client,
    chunks: [hex('82 7f 00 1f ff ff ff ff ff ff')],
    code: 'FRAME_TOO_LARGE',
    closeCode: 1009,
  },
  {
    name: 'message over maxMessageSize across fragments',
    options: { role: 'server', maxMessageSize: 10 },
    chunks: [clientFrame(Opcode.BINARY, Buffer.alloc(6), { fin: false }), clientFrame(Opcode.CONTINUATION, Buffer.alloc(5))],
    code: 'MESSAGE_TOO_LARGE',
    closeCode: 1009,
  },
  {
    name: 'too many fragments',
    options: { role: 'server', maxFragments: 2 },
    chunks: [clientFrame(Opcode.TEXT, 'a', { fin: false }), clientFrame(Opcode.CONTINUATION, 'b', { fin: false }), clientFrame(Opcode.CONTINUATION, 'c')],
    code: 'TOO_MANY_FRAGMENTS',
    closeCode: 1009,
  },
  { name: 'invalid UTF-8 text', chunks: [clientFrame(Opcode.TEXT, hex('ce ba e1 bd f9 80'))], code: 'INVALID_UTF8', closeCode: 1007 },
  {
    name: 'invalid UTF-8 in the first fragment, before the message ends',
    chunks: [clientFrame(Opcode.TEXT, hex('ce ba ed a0 80'), { fin: false })],
    code: 'INVALID_UTF8',
    closeCode: 1007,
  },
  {
    name: 'text ending inside a code point',
    chunks: [clientFrame(Opcode.TEXT, hex('61 e2 82'), { fin: false }), clientFrame(Opcode.CONTINUATION, '')],
    code: 'INVALID_UTF8',
    closeCode: 1007,
  },
  { name: 'close body of one byte', chunks: [clientFrame(Opcode.CLOSE, hex('03'))], code: 'INVALID_CLOSE_PAYLOAD', closeCode: 1002 },
  { name: 'close code 1005 on the wire', chunks: [clientFrame(Opcode.CLOSE, hex('03 ed'))], code: 'INVALID_CLOSE_CODE', closeCode: 1002 },
  { name: 'close reason not UTF-8', chunks: [clientFrame(Opcode.CLOSE, hex('03 e8 c0'))], code: 'INVALID_UTF8', closeCode: 1007 },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const { protocol, events } = receive(c.options ?? server, ...c.chunks);
    t.same(plain(events), [...(c.before ?? []), { type: 'error', code: c.code, closeCode: c.closeCode }]);
    t.equal(protocol.state, 'CLOSING', 'the failure\'s close is owed until the next dataToSend()');
    t.equal(protocol.closeState, 'failing');
    const out = protocol.dataToSend();
    t.equal(protocol.state, 'CLOSED');
    t.equal(protocol.outputEnded, true, 'the connection is failed: the transport ends');
    t.same(protocol.closeSent, { code: c.closeCode, reason: '' });
    t.equal(out.at(-1)?.[0], 0x88, 'a close frame goes out last (after any automatic pong)');
    protocol.receiveData(clientFrame(Opcode.TEXT, 'after'));
    t.same(protocol.eventsReceived(), [], 'input after failing is discarded');
  });
}

t.test('errors fail fast: after two bytes, before the rest of the header or payload', async (t) => {
  const { events } = receive(server, hex('c1'));
  t.same(events, []);
  const { events: rsv } = receive(server, hex('c1 85'));
  t.same(plain(rsv), [{ type: 'error', code: 'RSV_NOT_NEGOTIATED', closeCode: 1002 }]);
  const { events: big } = receive({ role: 'server', maxFrameSize: 10 }, hex('82 fe 00'));
  t.same(big, [], 'the length is not all here yet');
  const { events: bigDone } = receive({ role: 'server', maxFrameSize: 10 }, hex('82 fe 00 0b'));
  t.same(plain(bigDone), [{ type: 'error', code: 'FRAME_TOO_LARGE', closeCode: 1009 }], 'refused before the masking key and payload arrive');
});

t.test('an error that is not the peer\'s fault is not turned into a close: it propagates', async (t) => {
  const failing = () => {
    throw new Error('entropy source failed');
  };
  const protocol = new Protocol({ role: 'client', maskSource: failing });
  t.throws(() => protocol.receiveData(hex('89 00')), { message: 'entropy source failed' }, 'the automatic pong needs a key');
  t.same(protocol.eventsReceived(), [{ type: 'ping', data: Buffer.alloc(0) }]);
  t.equal(protocol.state, 'OPEN');
});

t.test('with permessage-deflate, RSV1 belongs on the first frame of a data message only', async (t) => {
  const deflate = { role: 'server' as const, perMessageDeflate: true };
  const cases: [string, Buffer[], string][] = [
    ['RSV1 on a ping', [clientFrame(Opcode.PING, 'a', { rsv: 4 })], 'RSV1_MISPLACED'],
    ['RSV1 on a continuation', [clientFrame(Opcode.TEXT, 'a', { fin: false, rsv: 4 }), clientFrame(Opcode.CONTINUATION, 'b', { rsv: 4 })], 'RSV1_MISPLACED'],
    ['RSV2 even so', [clientFrame(Opcode.TEXT, 'a', { rsv: 2 })], 'RSV_NOT_NEGOTIATED'],
  ];
  for (const [name, chunks, code] of cases) {
    const { events } = receive(deflate, ...chunks);
    t.match(plain(events).at(-1), { type: 'error', code, closeCode: 1002 }, name);
  }
  const { events } = receive(deflate, clientFrame(Opcode.BINARY, Buffer.from([0xff]), { rsv: 4 }));
  t.match(events, [{ type: 'message', compressed: true, binary: true }], 'RSV1 on a first frame marks it compressed; its bytes are not checked here');
  const { events: text } = receive(deflate, clientFrame(Opcode.TEXT, Buffer.from([0xff]), { rsv: 4 }));
  t.match(text, [{ type: 'message', compressed: true, binary: false }], 'compressed text is checked once inflated, not before');
});

t.test('sending compressed frames needs permessage-deflate', async (t) => {
  const plainProtocol = new Protocol({ role: 'server' });
  t.throws(() => plainProtocol.sendText('x', true, true), { name: 'UsageError', code: 'INVALID_STATE' });
  const deflate = new Protocol({ role: 'server', perMessageDeflate: true });
  deflate.sendBinary(Buffer.from([1]), true, true);
  t.equal(deflate.dataToSend()[0]![0], 0xc2, 'FIN, RSV1, binary');
});

t.test('a message before a bad frame in the same chunk can still be answered, ahead of the failure', async (t) => {
  const protocol = new Protocol({ role: 'server' });
  protocol.receiveData(Buffer.concat([clientFrame(Opcode.TEXT, 'fine'), clientFrame(Opcode.TEXT, 'bad', { rsv: 2 }), clientFrame(Opcode.TEXT, 'never read')]));
  t.same(plain(protocol.eventsReceived()), [{ type: 'text', data: 'fine' }, { type: 'error', code: 'RSV_NOT_NEGOTIATED', closeCode: 1002 }]);
  protocol.sendText('echo: fine');
  protocol.close(1000, 'ignored: the failure decides the code');
  t.same(Buffer.concat(protocol.dataToSend()), Buffer.concat([rawFrame(Opcode.TEXT, Buffer.from('echo: fine')), hex('88 02 03 ea')]));
  t.ok(protocol.closeSentFirst);
  t.throws(() => protocol.sendText('late'), { code: 'INVALID_STATE' });
});

t.test('the failure is owed even when the peer ends its stream first', async (t) => {
  const protocol = new Protocol({ role: 'server' });
  protocol.receiveData(clientFrame(Opcode.TEXT, Buffer.from([0xff])));
  protocol.receiveEof();
  t.same(Buffer.concat(protocol.dataToSend()), hex('88 02 03 ef'), '1007 still goes out');
  t.equal(protocol.state, 'CLOSED');
});

t.test('explicit fail() while a failure is owed sends its own code', async (t) => {
  const protocol = new Protocol({ role: 'server' });
  protocol.receiveData(clientFrame(Opcode.TEXT, 'x', { rsv: 2 }));
  protocol.fail(1011);
  t.same(Buffer.concat(protocol.dataToSend()), hex('88 02 03 f3'));
});

t.test('a bad frame after this side sent its close fails at once', async (t) => {
  const protocol = new Protocol({ role: 'server' });
  protocol.close(1000);
  protocol.dataToSend();
  protocol.receiveData(clientFrame(Opcode.TEXT, 'x', { rsv: 2 }));
  t.equal(protocol.state, 'CLOSED');
  t.ok(protocol.outputEnded);
  t.same(protocol.dataToSend(), [], 'no second close frame');
});
