import t from 'tap';
import { QPACK_STATIC_TABLE, findStaticExact, findStaticName } from '../src/h3/qpack-static-table.js';

t.test('99 entries, indexes 0-98, lowercase names', async (t) => {
  t.equal(QPACK_STATIC_TABLE.length, 99);
  for (const [name] of QPACK_STATIC_TABLE) t.equal(name, name.toLowerCase());
});

t.test('spot checks against RFC 9204 Appendix A', async (t) => {
  const expected: [number, string, string][] = [
    [0, ':authority', ''],
    [1, ':path', '/'],
    [15, ':method', 'CONNECT'],
    [17, ':method', 'GET'],
    [23, ':scheme', 'https'],
    [25, ':status', '200'],
    [29, 'accept', '*/*'],
    [31, 'accept-encoding', 'gzip, deflate, br'],
    [41, 'cache-control', 'public, max-age=31536000'],
    [52, 'content-type', 'text/html; charset=utf-8'],
    [54, 'content-type', 'text/plain;charset=utf-8'],
    [58, 'strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
    [62, 'x-xss-protection', '1; mode=block'],
    [63, ':status', '100'],
    [72, 'accept-language', ''],
    [85, 'content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
    [95, 'user-agent', ''],
    [98, 'x-frame-options', 'sameorigin'],
  ];
  for (const [index, name, value] of expected) t.same(QPACK_STATIC_TABLE[index], [name, value], `index ${index}`);
});

t.test('lookups', async (t) => {
  t.equal(findStaticExact(':method', 'CONNECT'), 15);
  t.equal(findStaticExact(':status', '200'), 25);
  t.equal(findStaticExact(':status', '201'), undefined);
  t.equal(findStaticExact('x-unknown', ''), undefined);
  t.equal(findStaticName(':status'), 24, 'first index with the name');
  t.equal(findStaticName(':protocol'), undefined);
  t.equal(findStaticName('accept-language'), 72);
  // Every entry finds itself (no duplicates in the table), and its name finds the first such index.
  QPACK_STATIC_TABLE.forEach(([name, value], index) => {
    t.equal(findStaticExact(name, value), index);
    t.equal(findStaticName(name), QPACK_STATIC_TABLE.findIndex(([n]) => n === name));
  });
});
