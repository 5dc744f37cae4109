import t from 'tap';
import { Opcode } from '../src/frame.js';
import { encodeFrame, encodeTextFrame, MERGE_THRESHOLD } from '../src/serializer.js';
import { CLIENT_KEY, rawFrame } from './helpers.js';
import type { MaskSource } from '../src/mask-source.js';

const clientMask: MaskSource = (target, offset) => target.set(CLIENT_KEY, offset);

t.test('length encodings at their boundaries match hand-built frames', async (t) => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
    const payload = Buffer.alloc(length, 0x5a);
    t.same(Buffer.concat(encodeFrame(Opcode.BINARY, payload, { fin: true })), rawFrame(Opcode.BINARY, payload), `unmasked ${length}`);
    t.same(Buffer.concat(encodeFrame(Opcode.BINARY, payload, { fin: true, mask: clientMask })), rawFrame(Opcode.BINARY, payload, { key: CLIENT_KEY }), `masked ${length}`);
    const text = 'é'.repeat(length >> 1);
    t.same(Buffer.concat(encodeTextFrame(Opcode.TEXT, text, { fin: false, mask: clientMask })), rawFrame(Opcode.TEXT, Buffer.from(text), { fin: false, key: CLIENT_KEY }), `masked text ${length >> 1} chars`);
  }
});

t.test('chunking: merged below the threshold, separate and uncopied above it', async (t) => {
  const small = Buffer.alloc(MERGE_THRESHOLD, 1);
  t.equal(encodeFrame(Opcode.BINARY, small, { fin: true }).length, 1);
  const large = Buffer.alloc(MERGE_THRESHOLD + 1, 1);
  const [, body] = encodeFrame(Opcode.BINARY, large, { fin: true });
  t.equal(body, large, 'the payload buffer itself');
  const view = new Uint8Array(large.buffer, 0, large.length);
  const [, wrapped] = encodeFrame(Opcode.BINARY, view, { fin: true });
  t.equal(wrapped?.buffer, large.buffer, 'a Uint8Array is wrapped, not copied');
  const masked = encodeFrame(Opcode.BINARY, large, { fin: true, mask: clientMask });
  t.equal(masked.length, 1, 'a masked frame is always one fresh buffer');
  t.ok(large.every((byte) => byte === 1), 'the caller\'s payload is untouched');
});

t.test('rsv bits and the fin flag', async (t) => {
  const [frame] = encodeFrame(Opcode.TEXT, Buffer.from('x'), { fin: false, rsv: 4 });
  t.equal(frame?.[0], 0x41);
  const [text] = encodeTextFrame(Opcode.CONTINUATION, '', { fin: true });
  t.same(text, Buffer.from([0x80, 0x00]));
});
