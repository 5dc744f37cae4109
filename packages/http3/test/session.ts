import t from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { FrameType, encodeDataFrame, encodeFrame, encodeFrameHeader, encodeGoawayFrame, encodeIdFrame, reservedValue } from '../src/h3/frames.js';
import { Http3Session } from '../src/h3/session.js';
import type { SessionEvent, SessionOptions } from '../src/h3/session.js';
import { decodeSettings, encodeParameters, encodeSettingsFrame } from '../src/h3/settings.js';
import { encodeVarint, readVarint } from '../src/h3/varint.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');
const settingsFrame = (params: [number | bigint, number | bigint][] = [[8, 1]]) => encodeFrame(FrameType.SETTINGS, encodeParameters(params));
/** A peer control stream: type 0x00, then SETTINGS, then `rest`. */
const control = (...rest: Buffer[]) => Buffer.concat([hex('00'), settingsFrame(), ...rest]);

function session(role: 'client' | 'server', options: Partial<SessionOptions> = {}) {
  return new Http3Session({ role, greaseSetting: false, ...options });
}

function errorOf(events: SessionEvent[]): Http3Error | undefined {
  const last = events[events.length - 1];
  return last?.type === 'connection-error' ? last.error : undefined;
}

/** Feeds one byte at a time; collects events. */
function feedBytes(s: Http3Session, streamId: number, bytes: Buffer, fin = false): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (let i = 0; i < bytes.length; i++) events.push(...s.receiveUnidirectional(streamId, bytes.subarray(i, i + 1), fin && i === bytes.length - 1));
  return events;
}

t.test('our streams', async (t) => {
  const s = new Http3Session({ role: 'server', random: () => 0.5 });
  const { control: ours, qpackEncoder, qpackDecoder } = s.localStreams();
  t.equal(ours[0], 0x00, 'control stream type');
  const frameType = readVarint(ours, 1)!;
  t.equal(frameType.value, FrameType.SETTINGS);
  const length = readVarint(ours, 1 + frameType.size)!;
  const settings = decodeSettings(ours.subarray(1 + frameType.size + length.size));
  t.equal(settings.enableConnectProtocol, true);
  t.equal(settings.qpackMaxTableCapacity, 0);
  t.equal(settings.qpackBlockedStreams, 0);
  t.equal(settings.maxFieldSectionSize, 65536);
  const grease = settings.parameters.find(([id]) => (id - 0x21n) % 0x1fn === 0n && id >= 0x21n);
  t.ok(grease, 'a reserved setting is sent');
  t.same(qpackEncoder, hex('02'));
  t.same(qpackDecoder, hex('03'));
  t.same(s.localSettings.grease, { id: reservedValue(0x80000000), value: 32 });

  const plain = session('client', { maxFieldSectionSize: 1000, openQpackStreams: false, enableConnectProtocol: false });
  t.same(plain.localStreams(), { control: Buffer.concat([hex('00'), encodeSettingsFrame({ maxFieldSectionSize: 1000, enableConnectProtocol: false })]) });
  t.equal(plain.role, 'client');
  // Default randomness works too.
  t.ok(new Http3Session({ role: 'client' }).localSettings.grease);
});

t.test('the peer control stream: SETTINGS, whole or byte by byte', async (t) => {
  for (const oneByOne of [false, true]) {
    const s = session('server');
    const bytes = control();
    const events = oneByOne ? feedBytes(s, 2, bytes) : s.receiveUnidirectional(2, bytes);
    t.equal(events.length, 1);
    t.equal(events[0]!.type, 'settings');
    t.equal(s.peerSettings?.enableConnectProtocol, true);
    t.equal(s.error, undefined);
  }
  const s = session('client');
  t.same(s.receiveUnidirectional(3, hex('00')), [], 'only the type so far');
  t.equal(s.peerSettings, undefined);
  const events = s.receiveUnidirectional(3, Buffer.concat([settingsFrame([[6, 100], [0x21, 0]])]));
  t.equal(events.length, 1);
  t.equal(s.peerSettings?.maxFieldSectionSize, 100);
  t.equal(s.peerSettings?.enableConnectProtocol, false);
});

t.test('a stream type in its long form, split', async (t) => {
  const s = session('server');
  t.same(s.receiveUnidirectional(2, hex('40')), []);
  const events = s.receiveUnidirectional(2, Buffer.concat([hex('00'), settingsFrame()]));
  t.equal(events[0]?.type, 'settings');
});

t.test('GREASE and PRIORITY_UPDATE frames on the control stream are skipped', async (t) => {
  const s = session('server');
  const events = s.receiveUnidirectional(
    2,
    control(
      encodeFrame(reservedValue(7), hex('0102030405')),
      encodeFrame(0xf0700, hex('00 753d33')), // PRIORITY_UPDATE: element 0, "u=3"
      encodeFrame(0xf0701, hex('00 69')),
      encodeFrame(0x0a, hex('')), // an unknown type
      encodeFrame(reservedValue(0x100000000n), hex('')),
    ),
  );
  t.same(events.map((e) => e.type), ['settings']);
  t.equal(s.error, undefined);
});

t.test('GOAWAY (RFC 9114 §5.2, §7.2.6)', async (t) => {
  const client = session('client');
  client.receiveUnidirectional(3, control());
  t.same(client.receiveUnidirectional(3, encodeGoawayFrame((1n << 62n) - 4n)), [{ type: 'goaway', id: 2 ** 62, exactId: (1n << 62n) - 4n }]);
  t.same(client.receiveUnidirectional(3, encodeGoawayFrame(8)), [{ type: 'goaway', id: 8, exactId: 8n }]);
  t.same(client.receiveUnidirectional(3, encodeGoawayFrame(8)), [{ type: 'goaway', id: 8, exactId: 8n }], 'the same id again');
  t.equal(client.goawayId, 8n);
  const rise = client.receiveUnidirectional(3, encodeGoawayFrame(12));
  t.match(errorOf(rise), { code: 'H3_ID_ERROR', wireCode: 0x108, message: /rose from 8 to 12/ });
  t.equal(client.error, errorOf(rise));
  t.same(client.receiveUnidirectional(3, encodeGoawayFrame(0)), [], 'nothing after a connection error');

  const notRequestStream = session('client');
  notRequestStream.receiveUnidirectional(3, control());
  t.match(errorOf(notRequestStream.receiveUnidirectional(3, encodeGoawayFrame(2))), { code: 'H3_ID_ERROR', message: /not a client-initiated bidirectional/ });

  const server = session('server');
  t.same(server.receiveUnidirectional(2, control(encodeGoawayFrame(5))).map((e) => e.type), ['settings', 'goaway'], 'a push id may be anything');
  t.match(errorOf(server.receiveUnidirectional(2, encodeFrame(FrameType.GOAWAY, hex('0000')))), { code: 'H3_FRAME_ERROR' }, 'two varints');
});

t.test('MAX_PUSH_ID (RFC 9114 §7.2.7)', async (t) => {
  const client = session('client');
  t.match(errorOf(client.receiveUnidirectional(3, control(encodeIdFrame(FrameType.MAX_PUSH_ID, 1)))), { code: 'H3_FRAME_UNEXPECTED', message: /MAX_PUSH_ID received by a client/ });
  const server = session('server');
  t.same(server.receiveUnidirectional(2, control(encodeIdFrame(FrameType.MAX_PUSH_ID, 5), encodeIdFrame(FrameType.MAX_PUSH_ID, 5))).map((e) => e.type), ['settings']);
  t.match(errorOf(server.receiveUnidirectional(2, encodeIdFrame(FrameType.MAX_PUSH_ID, 4))), { code: 'H3_ID_ERROR', message: /reduced/ });
  const bad = session('server');
  t.match(errorOf(bad.receiveUnidirectional(2, control(encodeFrame(FrameType.MAX_PUSH_ID, hex(''))))), { code: 'H3_FRAME_ERROR' });
});

t.test('CANCEL_PUSH (RFC 9114 §7.2.3): we allow no push, so every push id is wrong', async (t) => {
  const client = session('client');
  t.match(errorOf(client.receiveUnidirectional(3, control(encodeIdFrame(FrameType.CANCEL_PUSH, 0)))), { code: 'H3_ID_ERROR', message: /no MAX_PUSH_ID sent/ });
  const server = session('server');
  t.match(errorOf(server.receiveUnidirectional(2, control(encodeIdFrame(FrameType.MAX_PUSH_ID, 10), encodeIdFrame(FrameType.CANCEL_PUSH, 3)))), {
    code: 'H3_ID_ERROR',
    message: /no PUSH_PROMISE of ours/,
  });
  const malformed = session('server');
  t.match(errorOf(malformed.receiveUnidirectional(2, control(encodeFrame(FrameType.CANCEL_PUSH, hex('4000 00'))))), { code: 'H3_FRAME_ERROR' });
});

t.test('control stream frame rules', async (t) => {
  const first: [string, Buffer][] = [
    ['GOAWAY first', encodeGoawayFrame(0)],
    ['a reserved frame first', encodeFrame(0x21, hex(''))],
    ['DATA first', encodeDataFrame(hex('00'))],
    ['HEADERS first', encodeFrame(FrameType.HEADERS, hex('0000'))],
  ];
  for (const [name, frame] of first) {
    const s = session('server');
    t.match(errorOf(s.receiveUnidirectional(2, Buffer.concat([hex('00'), frame]))), { code: 'H3_MISSING_SETTINGS', wireCode: 0x10a }, name);
  }
  const later: [string, Buffer, string][] = [
    ['a second SETTINGS', settingsFrame(), 'H3_FRAME_UNEXPECTED'],
    ['DATA', encodeDataFrame(hex('00')), 'H3_FRAME_UNEXPECTED'],
    ['HEADERS', encodeFrame(FrameType.HEADERS, hex('0000')), 'H3_FRAME_UNEXPECTED'],
    ['PUSH_PROMISE', encodeFrame(FrameType.PUSH_PROMISE, hex('00 0000')), 'H3_FRAME_UNEXPECTED'],
    ['HTTP/2 PRIORITY', encodeFrame(0x02, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['HTTP/2 PING', encodeFrame(0x06, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['HTTP/2 WINDOW_UPDATE', encodeFrame(0x08, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['HTTP/2 CONTINUATION', encodeFrame(0x09, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['an oversize GOAWAY', encodeFrameHeader(FrameType.GOAWAY, 20000), 'H3_EXCESSIVE_LOAD'],
    ['a bad SETTINGS', Buffer.alloc(0), 'H3_SETTINGS_ERROR'],
  ];
  for (const [name, frame, code] of later) {
    for (const role of ['client', 'server'] as const) {
      const s = session(role);
      const bytes = name === 'a bad SETTINGS' ? Buffer.concat([hex('00'), settingsFrame([[2, 0]])]) : control(frame);
      t.match(errorOf(s.receiveUnidirectional(3, bytes)), { code, scope: 'connection' }, `${name} (${role})`);
    }
  }
  const small = session('server', { maxControlFramePayload: 2 });
  t.match(errorOf(small.receiveUnidirectional(2, Buffer.concat([hex('00'), settingsFrame([[6, 100]])]))), { code: 'H3_EXCESSIVE_LOAD' });
});

t.test('one control, encoder and decoder stream each (RFC 9114 §6.2.1, RFC 9204 §4.2)', async (t) => {
  const s = session('server');
  s.receiveUnidirectional(2, control());
  t.match(errorOf(s.receiveUnidirectional(6, hex('00'))), { code: 'H3_STREAM_CREATION_ERROR', wireCode: 0x103, message: /second control/ });
  const e = session('server');
  t.same(e.receiveUnidirectional(2, hex('02')), []);
  t.match(errorOf(e.receiveUnidirectional(6, hex('02'))), { code: 'H3_STREAM_CREATION_ERROR', message: /second QPACK encoder/ });
  const d = session('server');
  t.same(d.receiveUnidirectional(2, hex('03')), []);
  t.match(errorOf(d.receiveUnidirectional(6, hex('03'))), { code: 'H3_STREAM_CREATION_ERROR', message: /second QPACK decoder/ });
});

t.test('push streams (RFC 9114 §4.6, §6.2.2)', async (t) => {
  t.match(errorOf(session('server').receiveUnidirectional(2, hex('01 00'))), { code: 'H3_STREAM_CREATION_ERROR', message: /push stream opened by a client/ });
  t.match(errorOf(session('client').receiveUnidirectional(3, hex('01'))), { code: 'H3_ID_ERROR', message: /no MAX_PUSH_ID/ });
});

t.test('QPACK streams with capacity 0', async (t) => {
  const s = session('client');
  // The peer opens its encoder stream and sets the capacity to 0: fine.
  t.same(s.receiveUnidirectional(3, hex('02 20')), []);
  t.same(feedBytes(s, 7, hex('03 48 7f8503')), [], 'decoder stream: Stream Cancellations, byte by byte');
  t.equal(s.error, undefined);
  t.match(errorOf(s.receiveUnidirectional(3, hex('3fbd01'))), { code: 'QPACK_ENCODER_STREAM_ERROR', wireCode: 0x201 });
  const d = session('server');
  t.match(errorOf(d.receiveUnidirectional(2, hex('03 84'))), { code: 'QPACK_DECODER_STREAM_ERROR', wireCode: 0x202 });
});

t.test('unknown and reserved stream types are discarded (RFC 9114 §6.2, §9)', async (t) => {
  const s = session('server');
  t.same(s.receiveUnidirectional(2, hex('21 abcdef')), [{ type: 'abort-reading', streamId: 2, streamType: 0x21, code: 'H3_STREAM_CREATION_ERROR', wireCode: 0x103 }]);
  t.same(s.receiveUnidirectional(2, hex('00 00 00')), [], 'more data: discarded');
  t.same(s.receiveUnidirectional(2, hex(''), true), [], 'its end is no error');
  const big = encodeVarint(reservedValue(0x10000000000000n));
  t.same(s.receiveUnidirectional(6, Buffer.concat([big, hex('00')])), [{ type: 'abort-reading', streamId: 6, streamType: 2 ** 53, code: 'H3_STREAM_CREATION_ERROR', wireCode: 0x103 }]);
  t.same(s.receiveUnidirectional(10, hex('4054')), [{ type: 'abort-reading', streamId: 10, streamType: 0x54, code: 'H3_STREAM_CREATION_ERROR', wireCode: 0x103 }], 'WebTransport-like unknown type');
  t.same(s.resetUnidirectional(10), []);
  t.equal(s.error, undefined);
  // The control stream still works after them.
  t.equal(s.receiveUnidirectional(14, control())[0]?.type, 'settings');
});

t.test('streams that end before their type (RFC 9114 §6.2)', async (t) => {
  const s = session('server');
  t.same(s.receiveUnidirectional(2, hex(''), true), []);
  t.same(s.receiveUnidirectional(6, hex('40')), []);
  t.same(s.receiveUnidirectional(6, hex(''), true), []);
  t.same(s.receiveUnidirectional(10, hex('80')), []);
  t.same(s.resetUnidirectional(10), []);
  t.same(s.resetUnidirectional(99), [], 'a stream never seen');
  // Ids may be reused by the caller's bookkeeping: state was dropped.
  t.equal(s.receiveUnidirectional(6, control())[0]?.type, 'settings');
});

t.test('critical streams must not close (RFC 9114 §6.2.1, RFC 9204 §4.2)', async (t) => {
  const cases: [string, Buffer][] = [
    ['control', control()],
    ['qpack-encoder', hex('02')],
    ['qpack-decoder', hex('03')],
  ];
  for (const [name, bytes] of cases) {
    const fin = session('client');
    t.match(errorOf(fin.receiveUnidirectional(3, bytes, true)), { code: 'H3_CLOSED_CRITICAL_STREAM', wireCode: 0x104, message: new RegExp(`${name} stream ended`) }, `${name} FIN`);
    const reset = session('client');
    reset.receiveUnidirectional(3, bytes);
    t.match(errorOf(reset.resetUnidirectional(3)), { code: 'H3_CLOSED_CRITICAL_STREAM', message: /was reset/ }, `${name} reset`);
    t.same(reset.resetUnidirectional(3), [], 'nothing after the error');
  }
  const finOnly = session('server');
  finOnly.receiveUnidirectional(2, control());
  t.match(errorOf(finOnly.receiveUnidirectional(2, hex(''), true)), { code: 'H3_CLOSED_CRITICAL_STREAM' }, 'a FIN without data');
  const midFrame = session('server');
  t.match(errorOf(midFrame.receiveUnidirectional(2, Buffer.concat([control(), hex('07')]), true)), { code: 'H3_CLOSED_CRITICAL_STREAM' }, 'ends inside a frame');
});

t.test('bidirectional streams opened by the peer (RFC 9114 §6.1)', async (t) => {
  t.same(session('server').receiveBidirectional(0), []);
  t.same(session('server').receiveBidirectional(4), []);
  t.same(session('client').receiveBidirectional(0), []);
  const client = session('client');
  t.match(errorOf(client.receiveBidirectional(1)), { code: 'H3_STREAM_CREATION_ERROR', message: /server-initiated/ });
  t.same(client.receiveBidirectional(5), [], 'nothing after the error');
  t.same(client.receiveUnidirectional(3, control()), []);
});

t.test('fuzz: random streams only raise typed connection errors', async (t) => {
  const chunkArb = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.constantFrom(hex('00'), hex('02'), hex('03'), control(), settingsFrame())), fc.boolean(), fc.boolean());
  fc.assert(
    fc.property(fc.constantFrom('client' as const, 'server' as const), fc.array(chunkArb, { maxLength: 20 }), (role, chunks) => {
      const s = session(role);
      try {
        for (const [stream, bytes, fin, reset] of chunks) {
          const id = stream * 4 + (role === 'client' ? 3 : 2);
          const events = reset ? s.resetUnidirectional(id) : s.receiveUnidirectional(id, bytes, fin);
          for (const event of events) {
            if (event.type === 'connection-error' && !(event.error instanceof Http3Error && event.error.scope === 'connection')) return false;
          }
          if (s.error && events.length > 0 && events[events.length - 1]!.type !== 'connection-error' && errorOf(events) === undefined) return false;
        }
        return true;
      } catch {
        return false;
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
