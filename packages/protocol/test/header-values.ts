import t from 'tap';
import { formatExtensions, isToken, MAX_EXTENSION_OFFERS, parseExtensions, parseProtocols, readClientOffers } from '../src/header-values.js';

const invalidHeader = { name: 'HandshakeError', code: 'INVALID_HEADER', status: 400 };

t.test('tokens', async (t) => {
  t.ok(isToken("!#$%&'*+-.^_`|~09azAZ"));
  for (const text of ['', 'a b', 'a,b', 'a;b', 'a=b', '"a"', 'é', 'a\u0000', '(a)', 'a/b', 'a@b']) t.notOk(isToken(text), JSON.stringify(text));
});

t.test('Sec-WebSocket-Protocol', async (t) => {
  t.same(parseProtocols('chat'), ['chat']);
  t.same(parseProtocols('chat, superchat'), ['chat', 'superchat']);
  t.same(parseProtocols(' \tv1.json ,v2.json\t'), ['v1.json', 'v2.json']);
  t.same(parseProtocols(',, a ,,b,'), ['a', 'b'], 'empty list elements are ignored (RFC 9110 §5.6.1)');
  for (const value of ['', ' ', ',', ', ,', 'a b', 'a;b', 'chat, chat', 'a,"b"', 'é']) {
    t.throws(() => parseProtocols(value), invalidHeader, JSON.stringify(value));
  }
});

t.test('Sec-WebSocket-Extensions', async (t) => {
  t.same(parseExtensions('permessage-deflate'), [{ name: 'permessage-deflate', params: [] }]);
  t.same(parseExtensions('permessage-deflate; client_max_window_bits'), [
    { name: 'permessage-deflate', params: [['client_max_window_bits', true]] },
  ]);
  t.same(parseExtensions('permessage-deflate;server_max_window_bits=10 ; client_max_window_bits = "9", x-foo;a="b";a'), [
    { name: 'permessage-deflate', params: [['server_max_window_bits', '10'], ['client_max_window_bits', '9']] },
    { name: 'x-foo', params: [['a', 'b'], ['a', true]] },
  ]);
  t.same(parseExtensions('a; p="\\t\\o\\k"'), [{ name: 'a', params: [['p', 'tok']] }], 'quoted-pairs are unescaped');
  t.same(parseExtensions(' , a ,'), [{ name: 'a', params: [] }]);
  const invalid = ['', ',', ';', 'a;', 'a;=1', 'a; p=', 'a; p="', 'a; p="x', 'a; p="two words"', 'a; p=""', 'a; p="\\', 'a; p="\u0001"', 'a b', 'a; p=1 2', 'a; p="x"y', 'a,,b;', '"a"'];
  for (const value of invalid) t.throws(() => parseExtensions(value), invalidHeader, JSON.stringify(value));
});

t.test('formatting inverts parsing', async (t) => {
  const value = 'permessage-deflate; client_max_window_bits; server_max_window_bits=12, x-other';
  t.equal(formatExtensions(parseExtensions(value)), value);
});

t.test('64 KiB hostile values end in one pass, with the right answer', async (t) => {
  const size = 64 * 1024;
  const distinct = Array.from({ length: 10000 }, (_, i) => `p${i}`).join(',');
  const fails = 'HandshakeError';
  // [value, extensions parsed or error, subprotocols parsed or error]
  const hostile: [string, number | string, number | string][] = [
    ['a'.repeat(size), 1, 1],
    [','.repeat(size), fails, fails],
    [' '.repeat(size), fails, fails],
    ['a;'.repeat(size / 2) + 'a', 1, fails],
    ['a;b='.repeat(size / 4) + '1', 1, fails],
    ['a; p="' + '\\a'.repeat(size / 2), fails, fails],
    ['a; p="' + 'x'.repeat(size), fails, fails],
    ['a, '.repeat(size / 4), size / 4, fails],
    ['a;b=c'.repeat(size / 5), 1, fails],
    [distinct, 10000, 10000],
  ];
  const outcome = (parse: (value: string) => unknown[], value: string): number | string => {
    try {
      return parse(value).length;
    } catch (error) {
      return (error as Error).name;
    }
  };
  for (const [value, extensions, protocols] of hostile) {
    const label = `${JSON.stringify(value.slice(0, 12))}… (${value.length} characters)`;
    t.equal(outcome(parseExtensions, value), extensions, `extensions of ${label}`);
    t.equal(outcome(parseProtocols, value), protocols, `protocols of ${label}`);
  }
});

t.test('a server reads the offers of a request: a field that breaks its grammar, or too many offers, is a 400', async (t) => {
  t.same(readClientOffers(undefined, undefined), { protocols: [], extensions: [] });
  t.same(readClientOffers('a, b', 'permessage-deflate; client_max_window_bits'), { protocols: ['a', 'b'], extensions: [{ name: 'permessage-deflate', params: [['client_max_window_bits', true]] }] });
  // RFC 6455 §4.2.1: a field that breaks its grammar makes the handshake invalid (400).
  for (const [protocols, extensions] of [[undefined, 'permessage-deflate; ="x"'], [undefined, 'permessage-deflate; a="unterminated'], ['a b', undefined]] as const) {
    t.throws(() => readClientOffers(protocols, extensions), { name: 'HandshakeError', status: 400 }, String(extensions ?? protocols));
  }
  const many = Array(800).fill('permessage-deflate').join(', ');
  t.throws(() => readClientOffers(undefined, many), { name: 'HandshakeError', code: 'INVALID_EXTENSION', status: 400, message: `800 extension offers, more than ${MAX_EXTENSION_OFFERS}` });
  t.equal(readClientOffers(undefined, Array(MAX_EXTENSION_OFFERS).fill('x').join(',')).extensions.length, MAX_EXTENSION_OFFERS);
});
