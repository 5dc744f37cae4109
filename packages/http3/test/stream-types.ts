import t from 'tap';
import { StreamType, isClientInitiated, isUnidirectional } from '../src/h3/stream-types.js';

t.test('stream types (RFC 9114 §6.2, RFC 9204 §4.2)', async (t) => {
  t.same(StreamType, { CONTROL: 0, PUSH: 1, QPACK_ENCODER: 2, QPACK_DECODER: 3 });
});

t.test('stream id bits (RFC 9000 §2.1)', async (t) => {
  const cases: [number, boolean, boolean][] = [
    [0, true, false], [1, false, false], [2, true, true], [3, false, true],
    [4, true, false], [7, false, true], [2 ** 40 + 2, true, true], [2 ** 52 + 1, false, false],
  ];
  for (const [id, client, uni] of cases) {
    t.equal(isClientInitiated(id), client, `${id} client-initiated`);
    t.equal(isUnidirectional(id), uni, `${id} unidirectional`);
  }
});
