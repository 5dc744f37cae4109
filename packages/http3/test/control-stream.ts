import t from 'tap';
import { ControlStreamReader } from '../src/h3/control-stream.js';
import { FrameType, encodeFrame, encodeGoawayFrame, encodeIdFrame } from '../src/h3/frames.js';
import { encodeParameters } from '../src/h3/settings.js';

const settings = encodeFrame(FrameType.SETTINGS, encodeParameters([[8, 1], [0x33, 1]]));

t.test('events in order, and the error last', async (t) => {
  const reader = new ControlStreamReader({ role: 'client', maxFramePayload: 100 });
  const events = reader.push(Buffer.concat([settings, encodeGoawayFrame(4), encodeGoawayFrame(0), encodeGoawayFrame(8), encodeGoawayFrame(0)]));
  t.same(events.map((e) => e.type), ['settings', 'goaway', 'goaway', 'error']);
  t.match(events[0], { type: 'settings', settings: { enableConnectProtocol: true, h3Datagram: true } });
  t.same(events[1], { type: 'goaway', id: 4n });
  t.match(events[3], { type: 'error', error: { code: 'H3_ID_ERROR' } });
  t.same(reader.push(encodeGoawayFrame(0)), [], 'nothing after an error');
});

t.test('a server keeps the MAX_PUSH_ID it got (we never push)', async (t) => {
  const reader = new ControlStreamReader({ role: 'server', maxFramePayload: 100 });
  t.equal(reader.receivedMaxPushId, undefined);
  reader.push(Buffer.concat([settings, encodeIdFrame(FrameType.MAX_PUSH_ID, 3)]));
  t.equal(reader.receivedMaxPushId, 3n);
  reader.push(encodeIdFrame(FrameType.MAX_PUSH_ID, 9));
  t.equal(reader.receivedMaxPushId, 9n);
});
