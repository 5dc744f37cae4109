import t from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { FrameType, encodeFrame, encodeFrameHeader, reservedValue } from '../src/h3/frames.js';
import type { Field } from '../src/h3/qpack.js';
import { RequestStreamDecoder, encodeData, encodeDataHeader, encodeHeaders } from '../src/h3/request-stream.js';
import type { RequestStreamDecoderOptions, RequestStreamEvent } from '../src/h3/request-stream.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

const wsRequest: Field[] = [
  [':method', 'CONNECT'],
  [':protocol', 'websocket'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/chat'],
  ['sec-websocket-version', '13'],
];
const post: Field[] = [[':method', 'POST'], [':scheme', 'https'], [':authority', 'a'], [':path', '/up'], ['content-length', '5']];

function decoder(role: 'client' | 'server', options: Partial<RequestStreamDecoderOptions> = {}) {
  return new RequestStreamDecoder({ role, maxFieldSectionSize: 4096, ...options });
}

/** Feeds `bytes` (one byte at a time if asked), then FIN; merges data events. */
function run(d: RequestStreamDecoder, bytes: Buffer, oneByOne = false, fin = true): RequestStreamEvent[] {
  const events: RequestStreamEvent[] = [];
  if (oneByOne) {
    for (let i = 0; i < bytes.length; i++) events.push(...d.receive(bytes.subarray(i, i + 1)));
    if (fin) events.push(...d.receive(new Uint8Array(0), true));
  } else {
    events.push(...d.receive(bytes, fin));
  }
  const merged: RequestStreamEvent[] = [];
  for (const e of events) {
    const last = merged[merged.length - 1];
    if (e.type === 'data' && last?.type === 'data') last.data = Buffer.concat([last.data, e.data]);
    else merged.push(e.type === 'data' ? { type: 'data', data: Buffer.from(e.data) } : e);
  }
  return merged;
}

const lastError = (events: RequestStreamEvent[]) => {
  const last = events[events.length - 1];
  return last?.type === 'error' ? last.error : undefined;
};

t.test('a WebSocket extended CONNECT, whole and byte by byte', async (t) => {
  const bytes = Buffer.concat([encodeHeaders(wsRequest), encodeDataHeader(3), hex('818000'), encodeData(hex('88'))]);
  for (const oneByOne of [false, true]) {
    const d = decoder('server');
    const events = run(d, bytes, oneByOne);
    t.same(events.map((e) => e.type), ['request', 'data', 'end'], oneByOne ? 'byte by byte' : 'whole');
    const request = events[0] as Extract<RequestStreamEvent, { type: 'request' }>;
    t.same(request.fields, wsRequest);
    t.same(request.head, {
      method: 'CONNECT',
      protocol: 'websocket',
      scheme: 'https',
      authority: 'example.com',
      path: '/chat',
      fields: [['sec-websocket-version', '13']],
    });
    t.same((events[1] as { data: Buffer }).data, hex('81800088'));
    t.equal(d.error, undefined);
    t.same(d.receive(hex('00')), [], 'nothing after the end');
  }
});

t.test('DATA payloads are views of the received chunks', async (t) => {
  const d = decoder('server');
  const chunk = Buffer.concat([encodeHeaders(wsRequest), encodeDataHeader(4), hex('01020304')]);
  const events = d.receive(chunk);
  const data = events.find((e) => e.type === 'data') as { data: Buffer };
  t.equal(data.data.buffer, chunk.buffer);
});

t.test('a request with content and trailers', async (t) => {
  const d = decoder('server');
  const events = run(d, Buffer.concat([encodeHeaders(post), encodeData(hex('0102')), encodeFrame(0x21, hex('ff')), encodeData(hex('030405')), encodeHeaders([['x-checksum', 'abc']])]));
  t.same(events.map((e) => e.type), ['request', 'data', 'trailers', 'end']);
  t.same((events[2] as { fields: Field[] }).fields, [['x-checksum', 'abc']]);
});

t.test('unknown, reserved and PRIORITY_UPDATE frames are skipped anywhere (RFC 9114 §4.1, §9)', async (t) => {
  const skip = Buffer.concat([encodeFrame(reservedValue(2), hex('0102')), encodeFrame(0xf0700, hex('00')), encodeFrame(0x0b, hex(''))]);
  const events = run(decoder('server'), Buffer.concat([skip, encodeHeaders(wsRequest), skip, encodeData(hex('aa')), skip]), true);
  t.same(events.map((e) => e.type), ['request', 'data', 'end']);
});

t.test('frame sequence errors (RFC 9114 §4.1, §4.4, §7.2)', async (t) => {
  const cases: [string, 'client' | 'server', Buffer, string][] = [
    ['DATA before HEADERS', 'server', encodeData(hex('00')), 'H3_FRAME_UNEXPECTED'],
    ['DATA after trailers', 'server', Buffer.concat([encodeHeaders(post.slice(0, 4)), encodeHeaders([]), encodeData(hex('00'))]), 'H3_FRAME_UNEXPECTED'],
    ['HEADERS after trailers', 'server', Buffer.concat([encodeHeaders(post.slice(0, 4)), encodeHeaders([]), encodeHeaders([])]), 'H3_FRAME_UNEXPECTED'],
    ['HEADERS after a CONNECT request', 'server', Buffer.concat([encodeHeaders(wsRequest), encodeData(hex('00')), encodeHeaders([])]), 'H3_FRAME_UNEXPECTED'],
    ['PUSH_PROMISE to a server', 'server', encodeFrame(FrameType.PUSH_PROMISE, hex('00 0000')), 'H3_FRAME_UNEXPECTED'],
    ['PUSH_PROMISE to a client', 'client', encodeFrame(FrameType.PUSH_PROMISE, hex('00 0000')), 'H3_ID_ERROR'],
    ['SETTINGS', 'server', encodeFrame(FrameType.SETTINGS, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['GOAWAY', 'client', encodeFrame(FrameType.GOAWAY, hex('00')), 'H3_FRAME_UNEXPECTED'],
    ['MAX_PUSH_ID', 'server', encodeFrame(FrameType.MAX_PUSH_ID, hex('00')), 'H3_FRAME_UNEXPECTED'],
    ['CANCEL_PUSH', 'server', encodeFrame(FrameType.CANCEL_PUSH, hex('00')), 'H3_FRAME_UNEXPECTED'],
    ['HTTP/2 PRIORITY', 'server', encodeFrame(0x02, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['HTTP/2 CONTINUATION', 'client', encodeFrame(0x09, hex('')), 'H3_FRAME_UNEXPECTED'],
    ['FIN inside a frame', 'server', hex('0105 0000'), 'H3_FRAME_ERROR'],
    ['a dynamic table reference', 'server', encodeFrame(FrameType.HEADERS, hex('0381 10 11')), 'QPACK_DECOMPRESSION_FAILED'],
  ];
  for (const [name, role, bytes, code] of cases) {
    for (const oneByOne of [false, true]) {
      const d = decoder(role);
      const error = lastError(run(d, bytes, oneByOne));
      t.match(error, { name: 'Http3Error', code, scope: 'connection' }, `${name}${oneByOne ? ', byte by byte' : ''}`);
      t.equal(d.error, error);
      t.same(d.receive(hex('00')), [], 'nothing after an error');
    }
  }
});

t.test('stream errors: malformed messages, limits, incomplete requests', async (t) => {
  const cases: [string, 'client' | 'server', Buffer, string, Partial<RequestStreamDecoderOptions>?][] = [
    ['uppercase field name', 'server', encodeFrame(FrameType.HEADERS, hex('0000 d1 23 414243 00')), 'H3_MESSAGE_ERROR'],
    ['missing :path', 'server', encodeHeaders(post.filter(([n]) => n !== ':path')), 'H3_MESSAGE_ERROR'],
    ['pseudo-header in trailers', 'server', Buffer.concat([encodeHeaders(post.slice(0, 4)), encodeHeaders([[':status', '200']])]), 'H3_MESSAGE_ERROR'],
    ['response without :status', 'client', encodeHeaders([['server', 'x']]), 'H3_MESSAGE_ERROR'],
    ['invalid content-length', 'server', encodeHeaders([...post.slice(0, 4), ['content-length', 'x']]), 'H3_MESSAGE_ERROR'],
    ['more content than content-length', 'server', Buffer.concat([encodeHeaders(post), encodeData(hex('010203')), encodeDataHeader(3)]), 'H3_MESSAGE_ERROR'],
    ['less content than content-length', 'server', Buffer.concat([encodeHeaders(post), encodeData(hex('010203'))]), 'H3_MESSAGE_ERROR'],
    ['a field section over the limit', 'server', encodeHeaders([...post.slice(0, 4), ['x', 'v'.repeat(100)]]), 'H3_EXCESSIVE_LOAD', { maxFieldSectionSize: 150 }],
    ['a HEADERS frame over the limit', 'server', encodeFrameHeader(FrameType.HEADERS, 2000), 'H3_EXCESSIVE_LOAD', { maxHeadersFrameSize: 1999 }],
    ['an integer too large in a field section', 'server', encodeFrame(FrameType.HEADERS, hex('0000 5f ff ff ff ff ff ff ff ff 7f')), 'QPACK_DECOMPRESSION_FAILED'],
    ['a request stream that ends before the request', 'server', hex(''), 'H3_REQUEST_INCOMPLETE'],
    ['a request stream with only unknown frames', 'server', encodeFrame(0x21, hex('')), 'H3_REQUEST_INCOMPLETE'],
    ['a response stream that ends before the response', 'client', hex(''), 'H3_MESSAGE_ERROR'],
    ['a response stream with only an interim response', 'client', encodeHeaders([[':status', '100']]), 'H3_MESSAGE_ERROR'],
  ];
  for (const [name, role, bytes, code, options] of cases) {
    const d = decoder(role, options);
    t.match(lastError(run(d, bytes)), { name: 'Http3Error', code, scope: 'stream' }, name);
  }
  // The default HEADERS frame limit: twice the field section limit plus 1024.
  const d = decoder('server', { maxFieldSectionSize: 100 });
  t.match(lastError(d.receive(encodeFrameHeader(FrameType.HEADERS, 1225))), { code: 'H3_EXCESSIVE_LOAD' });
  t.same(decoder('server', { maxFieldSectionSize: 100 }).receive(encodeFrameHeader(FrameType.HEADERS, 1224)), []);
});

t.test('responses: interim, final, content rules (RFC 9110 §8.6, §15.2)', async (t) => {
  const client = decoder('client');
  const events = run(client, Buffer.concat([encodeHeaders([[':status', '103'], ['link', '</a>']]), encodeHeaders([[':status', '200'], ['content-length', '2']]), encodeData(hex('0102')), encodeHeaders([['x', 'y']])]));
  t.same(events.map((e) => e.type), ['informational', 'response', 'data', 'trailers', 'end']);
  t.same((events[0] as { head: unknown }).head, { status: 103, fields: [['link', '</a>']] });
  t.same((events[1] as { head: unknown }).head, { status: 200, fields: [['content-length', '2']] });

  const head = run(decoder('client', { requestMethod: 'HEAD' }), encodeHeaders([[':status', '200'], ['content-length', '1000']]));
  t.same(head.map((e) => e.type), ['response', 'end'], 'HEAD: content-length without content');
  for (const status of ['204', '304']) {
    const r = run(decoder('client'), encodeHeaders([[':status', status], ['content-length', '10']]));
    t.same(r.map((e) => e.type), ['response', 'end'], status);
  }
  const wrong = run(decoder('client'), Buffer.concat([encodeHeaders([[':status', '200'], ['content-length', '1']])]));
  t.match(lastError(wrong), { code: 'H3_MESSAGE_ERROR' }, 'a 200 with less content than declared');

  // A 2xx to CONNECT opens the tunnel: DATA only, content-length ignored.
  const tunnel = decoder('client', { requestMethod: 'CONNECT' });
  t.same(run(tunnel, Buffer.concat([encodeHeaders([[':status', '200'], ['content-length', '0']]), encodeData(hex('0102'))])).map((e) => e.type), ['response', 'data', 'end']);
  const noTrailers = decoder('client', { requestMethod: 'CONNECT' });
  t.match(lastError(run(noTrailers, Buffer.concat([encodeHeaders([[':status', '200']]), encodeHeaders([])]))), { code: 'H3_FRAME_UNEXPECTED' });
  // A refused CONNECT is an ordinary response.
  const refused = decoder('client', { requestMethod: 'CONNECT' });
  t.same(run(refused, Buffer.concat([encodeHeaders([[':status', '400'], ['content-length', '1']]), encodeData(hex('00')), encodeHeaders([])])).map((e) => e.type), ['response', 'data', 'trailers', 'end']);
});

t.test('a stream may stay open (no FIN) as long as it likes', async (t) => {
  const d = decoder('server');
  t.same(run(d, encodeHeaders(wsRequest), false, false).map((e) => e.type), ['request']);
  t.same(d.receive(encodeDataHeader(2)), []);
  t.same(d.receive(hex('01')).map((e) => e.type), ['data']);
  t.same(d.receive(hex('02'), true).map((e) => e.type), ['data', 'end']);
});

t.test('fuzz: random bytes only raise Http3Error events', async (t) => {
  const pieces = [encodeHeaders(wsRequest), encodeHeaders(post), encodeHeaders([[':status', '200']]), encodeData(hex('0102')), encodeFrame(0x21, hex('00')), hex('00'), hex('01')];
  fc.assert(
    fc.property(
      fc.constantFrom('client' as const, 'server' as const),
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.constantFrom(...pieces)), { maxLength: 12 }),
      fc.boolean(),
      (role, chunks, fin) => {
        const d = decoder(role, { maxFieldSectionSize: 200 });
        try {
          const events: RequestStreamEvent[] = [];
          chunks.forEach((chunk, i) => events.push(...d.receive(chunk, fin && i === chunks.length - 1)));
          const errors = events.filter((e) => e.type === 'error');
          if (errors.length > 1) return false;
          if (errors.length === 1 && events[events.length - 1]!.type !== 'error') return false;
          return errors.every((e) => e.type === 'error' && e.error instanceof Http3Error);
        } catch {
          return false;
        }
      },
    ),
    { numRuns: 3000 },
  );
  t.pass();
});
