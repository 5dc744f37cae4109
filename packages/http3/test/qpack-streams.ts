import t from 'tap';
import fc from 'fast-check';
import { Http3Error } from '../src/h3/errors.js';
import { QpackDecoderStreamReader, QpackEncoderStreamReader } from '../src/h3/qpack-streams.js';

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

function feed(reader: QpackEncoderStreamReader | QpackDecoderStreamReader, bytes: Buffer, oneByOne: boolean): Http3Error | undefined {
  if (!oneByOne) return reader.push(bytes);
  let error: Http3Error | undefined;
  for (const b of bytes) error = reader.push(Buffer.of(b)) ?? error;
  return error;
}

for (const oneByOne of [false, true]) {
  const how = oneByOne ? 'byte by byte' : 'whole';

  t.test(`encoder stream, ${how}`, async (t) => {
    t.equal(feed(new QpackEncoderStreamReader(), hex('20'), oneByOne), undefined, 'Set Dynamic Table Capacity 0');
    t.equal(feed(new QpackEncoderStreamReader(), hex('20 20 20'), oneByOne), undefined, 'repeated');
    const error = { name: 'Http3Error', code: 'QPACK_ENCODER_STREAM_ERROR', wireCode: 0x201, scope: 'connection' };
    // RFC 9204 Appendix B.2: capacity 220.
    t.match(feed(new QpackEncoderStreamReader(), hex('3fbd01'), oneByOne), { ...error, message: /220 exceeds our maximum of 0/ });
    t.match(feed(new QpackEncoderStreamReader(), hex('21'), oneByOne), { ...error, message: /Capacity 1/ });
    // B.2: Insert With Name Reference; B.3: Insert With Literal Name; B.4: Duplicate.
    t.match(feed(new QpackEncoderStreamReader(), hex('c00f 7777772e6578616d706c652e636f6d'), oneByOne), { ...error, message: /Insert With Name Reference/ });
    t.match(feed(new QpackEncoderStreamReader(), hex('4a63 7573746f6d2d6b6579 0c 637573746f6d2d76616c7565'), oneByOne), { ...error, message: /Insert With Literal Name/ });
    t.match(feed(new QpackEncoderStreamReader(), hex('20 02'), oneByOne), { ...error, message: /Duplicate/ });
    t.match(feed(new QpackEncoderStreamReader(), hex('3f ff ff ff ff ff ff ff ff 7f'), oneByOne), { ...error, message: /too large/ });
  });

  t.test(`decoder stream, ${how}`, async (t) => {
    // B.4: Stream Cancellation (stream 8) is ignored.
    t.equal(feed(new QpackDecoderStreamReader(), hex('48'), oneByOne), undefined);
    t.equal(feed(new QpackDecoderStreamReader(), hex('48 7f 85 03 40'), oneByOne), undefined, 'with a long stream id');
    const error = { name: 'Http3Error', code: 'QPACK_DECODER_STREAM_ERROR', wireCode: 0x202, scope: 'connection' };
    // B.2: Section Acknowledgment (stream 4); B.3: Insert Count Increment (1).
    t.match(feed(new QpackDecoderStreamReader(), hex('84'), oneByOne), { ...error, message: /Section Acknowledgment/ });
    t.match(feed(new QpackDecoderStreamReader(), hex('01'), oneByOne), { ...error, message: /Insert Count Increment/ });
    t.match(feed(new QpackDecoderStreamReader(), hex('00'), oneByOne), { ...error, message: /Insert Count Increment/ }, 'increment 0');
    t.match(feed(new QpackDecoderStreamReader(), hex('48 7f ff ff ff ff ff ff ff ff 7f'), oneByOne), { ...error, message: /too large/ });
  });
}

t.test('an error sticks', async (t) => {
  const reader = new QpackDecoderStreamReader();
  const first = reader.push(hex('84'));
  t.ok(first);
  t.equal(reader.push(hex('48')), first);
});

t.test('random instructions: only the typed errors', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 12 }), { maxLength: 6 }), (chunks) => {
      const encoder = new QpackEncoderStreamReader();
      const decoder = new QpackDecoderStreamReader();
      for (const chunk of chunks) {
        const e = encoder.push(chunk);
        const d = decoder.push(chunk);
        if (e && e.code !== 'QPACK_ENCODER_STREAM_ERROR') return false;
        if (d && d.code !== 'QPACK_DECODER_STREAM_ERROR') return false;
      }
      return true;
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
