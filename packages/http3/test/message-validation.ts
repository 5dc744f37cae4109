import t from 'tap';
import type { Test } from 'tap';
import { contentLengthOf, validateRequestHeaders, validateResponseHeaders, validateTrailers } from '../src/h3/message-validation.js';
import type { Validation } from '../src/h3/message-validation.js';
import type { Field } from '../src/h3/qpack.js';

const websocket: Field[] = [
  [':method', 'CONNECT'],
  [':protocol', 'websocket'],
  [':scheme', 'https'],
  [':authority', 'example.com'],
  [':path', '/chat?room=1'],
  ['sec-websocket-version', '13'],
  ['origin', 'https://example.com'],
];

function rejects(t: Test, lines: Field[], reason: RegExp, validate: (lines: Field[]) => Validation<unknown> = validateRequestHeaders) {
  const result = validate(lines);
  t.equal(result.ok, false, reason.source);
  if (!result.ok) {
    t.match(result.reason, reason);
    t.match(result.error, { code: 'H3_MESSAGE_ERROR', wireCode: 0x10e, scope: 'stream' });
  }
}

t.test('an extended CONNECT for WebSocket (RFC 9220 §3)', async (t) => {
  t.same(validateRequestHeaders(websocket), {
    ok: true,
    value: {
      method: 'CONNECT',
      protocol: 'websocket',
      scheme: 'https',
      authority: 'example.com',
      path: '/chat?room=1',
      fields: [['sec-websocket-version', '13'], ['origin', 'https://example.com']],
    },
  });
  const without = (name: string) => websocket.filter(([n]) => n !== name);
  rejects(t, without(':scheme'), /extended CONNECT without/);
  rejects(t, without(':path'), /extended CONNECT without/);
  rejects(t, without(':authority'), /extended CONNECT without/);
  rejects(t, websocket.map(([n, v]) => [n, n === ':method' ? 'GET' : v] as Field), /:protocol in a request that is not CONNECT/);
  rejects(t, websocket.map(([n, v]) => [n, n === ':protocol' ? '' : v] as Field), /empty :protocol/);
  rejects(t, websocket.map(([n, v]) => [n, n === ':path' ? '' : v] as Field), /invalid :path/);
});

t.test('a plain CONNECT (RFC 9114 §4.4)', async (t) => {
  t.same(validateRequestHeaders([[':method', 'CONNECT'], [':authority', 'example.com:443']]), {
    ok: true,
    value: { method: 'CONNECT', authority: 'example.com:443', fields: [] },
  });
  rejects(t, [[':method', 'CONNECT'], [':authority', 'a:1'], [':path', '/']], /CONNECT with :scheme or :path/);
  rejects(t, [[':method', 'CONNECT'], [':authority', 'a:1'], [':scheme', 'https']], /CONNECT with :scheme or :path/);
  rejects(t, [[':method', 'CONNECT']], /CONNECT without :authority/);
  rejects(t, [[':method', 'CONNECT'], [':authority', '']], /CONNECT without :authority/);
});

t.test('ordinary requests (RFC 9114 §4.3.1)', async (t) => {
  const get: Field[] = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a.example'], [':path', '/'], ['accept', '*/*'], ['te', 'trailers']];
  t.same(validateRequestHeaders(get), {
    ok: true,
    value: { method: 'GET', scheme: 'https', authority: 'a.example', path: '/', fields: [['accept', '*/*'], ['te', 'trailers']] },
  });
  const host: Field[] = [[':method', 'GET'], [':scheme', 'http'], [':path', '/x'], ['host', 'a.example']];
  t.same(validateRequestHeaders(host), { ok: true, value: { method: 'GET', scheme: 'http', path: '/x', fields: [['host', 'a.example']] } });
  t.equal(validateRequestHeaders([[':method', 'OPTIONS'], [':scheme', 'https'], [':authority', 'a'], [':path', '*']]).ok, true);
  t.equal(validateRequestHeaders([[':method', 'GET'], [':scheme', 'foo'], [':path', '']]).ok, true, 'other schemes: no authority needed');
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '*']], /invalid :path/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', 'x']], /invalid :path/);
  rejects(t, [[':scheme', 'https'], [':authority', 'a'], [':path', '/']], /missing :method/);
  rejects(t, [[':method', 'G E T'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']], /invalid :method/);
  rejects(t, [[':method', 'GET'], [':authority', 'a'], [':path', '/']], /missing :scheme or :path/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a']], /missing :scheme or :path/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':path', '/']], /neither :authority nor host/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', '']], /empty :authority or host/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], ['host', '']], /empty :authority or host/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', 'a'], ['host', 'b']], /:authority and host differ/);
  rejects(t, [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], ['host', 'a'], ['host', 'a']], /more than one host/);
  rejects(t, [[':method', 'GET'], [':scheme', ''], [':path', '/']], /empty :scheme/);
});

t.test('rules every section shares (RFC 9114 §4.2, §4.3)', async (t) => {
  const base: Field[] = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']];
  rejects(t, [...base, [':method', 'GET']], /after a regular field|duplicate/);
  rejects(t, [[':method', 'GET'], [':method', 'POST'], [':scheme', 'https'], [':authority', 'a'], [':path', '/']], /duplicate pseudo-header field :method/);
  rejects(t, [...base, ['x', '1'], [':path', '/']], /after a regular field/);
  rejects(t, [...base, [':status', '200']], /:status is not defined for a request/);
  rejects(t, [...base, [':foo', 'x']], /:foo is not defined/);
  rejects(t, [...base, ['X-Upper', '1']], /invalid field name/);
  rejects(t, [...base, ['', '1']], /invalid field name/);
  rejects(t, [...base, ['a b', '1']], /invalid field name/);
  rejects(t, [...base, ['é', '1']], /invalid field name/);
  for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
    rejects(t, [...base, [name, 'x']], new RegExp(`connection-specific field ${name}`));
  }
  rejects(t, [...base, ['te', 'gzip']], /te field/);
  for (const bad of ['a\0b', 'a\rb', 'a\nb']) rejects(t, [...base, ['x', bad]], /NUL, CR or LF/);
  rejects(t, [[':method', 'GET\n'], ...base.slice(1)], /NUL, CR or LF/);
  t.equal(validateRequestHeaders([...base, ['x', ' \t obs-text \u00ff ']]).ok, true, 'other bytes are allowed in values');
});

t.test('responses (RFC 9114 §4.3.2)', async (t) => {
  t.same(validateResponseHeaders([[':status', '200'], ['sec-websocket-extensions', 'permessage-deflate']]), {
    ok: true,
    value: { status: 200, fields: [['sec-websocket-extensions', 'permessage-deflate']] },
  });
  t.same(validateResponseHeaders([[':status', '103']]), { ok: true, value: { status: 103, fields: [] } });
  const r = (lines: Field[], reason: RegExp) => rejects(t, lines, reason, validateResponseHeaders);
  r([], /missing :status/);
  r([['server', 'x']], /missing :status/);
  r([[':status', '20']], /invalid :status/);
  r([[':status', '2000']], /invalid :status/);
  r([[':status', '099']], /invalid :status/);
  r([[':status', 'abc']], /invalid :status/);
  r([[':status', '101']], /101/);
  r([[':status', '200'], [':status', '200']], /duplicate/);
  r([[':status', '200'], [':method', 'GET']], /:method is not defined for a response/);
  r([[':status', '200'], ['te', 'trailers']], /te field/);
  r([[':status', '200'], ['Server', 'x']], /invalid field name/);
});

t.test('trailers', async (t) => {
  t.same(validateTrailers([['grpc-status', '0']]), { ok: true, value: [['grpc-status', '0']] });
  t.same(validateTrailers([]), { ok: true, value: [] });
  const r = (lines: Field[], reason: RegExp) => rejects(t, lines, reason, validateTrailers);
  r([[':status', '200']], /pseudo-header field :status in trailers/);
  r([['x', '1'], [':path', '/']], /in trailers/);
  r([['transfer-encoding', 'chunked']], /connection-specific/);
  r([['te', 'trailers']], /te field/);
});

t.test('content-length (RFC 9110 §8.6)', async (t) => {
  t.equal(contentLengthOf([]), undefined);
  t.equal(contentLengthOf([['x', '1']]), undefined);
  t.equal(contentLengthOf([['content-length', '42']]), 42);
  t.equal(contentLengthOf([['content-length', '0'], ['content-length', '0']]), 0);
  t.match(contentLengthOf([['content-length', '1'], ['content-length', '2']]), /differ/);
  t.match(contentLengthOf([['content-length', '1, 1']]), /invalid/);
  t.match(contentLengthOf([['content-length', '']]), /invalid/);
  t.match(contentLengthOf([['content-length', '-1']]), /invalid/);
  t.match(contentLengthOf([['content-length', '1234567890123456']]), /invalid/, 'beyond what we count');
});
