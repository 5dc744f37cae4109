import t from 'tap';
import { parseExtensions } from '../src/header-values.js';
import { acceptServerExtensions, checkClientExtensions, checkSubprotocolAnswer, clientExtensionOffer, compressionOptions, selectSubprotocol } from '../src/negotiate.js';

t.test('the server picks the first offer it supports, in the client\'s order', async (t) => {
  t.equal(selectSubprotocol(['b', 'a'], ['a', 'b']), 'b');
  t.equal(selectSubprotocol(['x'], ['a']), null);
  t.equal(selectSubprotocol([], ['a']), null);
});

t.test('the client checks the server\'s subprotocol', async (t) => {
  t.equal(checkSubprotocolAnswer(['a', 'b'], 'b'), 'b');
  t.equal(checkSubprotocolAnswer(['a'], undefined), '', 'none chosen');
  t.equal(checkSubprotocolAnswer([], undefined), '');
  for (const answer of ['c', 'a, b', '']) {
    t.throws(() => checkSubprotocolAnswer(['a', 'b'], answer), { name: 'HandshakeError' }, JSON.stringify(answer));
  }
  t.throws(() => checkSubprotocolAnswer(['a'], 'c'), { code: 'INVALID_SUBPROTOCOL' });
});

t.test('the client\'s extension offer and its check of the answer', async (t) => {
  t.equal(clientExtensionOffer(undefined), undefined);
  t.equal(clientExtensionOffer(false), undefined);
  t.equal(clientExtensionOffer(true), 'permessage-deflate; client_max_window_bits');
  t.equal(clientExtensionOffer({ serverNoContextTakeover: true }), 'permessage-deflate; server_no_context_takeover; client_max_window_bits');
  t.same(checkClientExtensions(undefined, undefined), { extensions: '' });
  t.same(checkClientExtensions(true, undefined), { extensions: '' }, 'declined by the server');
  t.throws(() => checkClientExtensions(false, 'permessage-deflate'), { code: 'INVALID_EXTENSION', message: /permessage-deflate, which was not offered/ });
  t.throws(() => checkClientExtensions(true, 'permessage-deflate;'), { code: 'INVALID_HEADER' });
  t.same(checkClientExtensions(true, 'permessage-deflate; server_no_context_takeover'), {
    extensions: 'permessage-deflate; server_no_context_takeover',
    deflate: { serverNoContextTakeover: true, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 },
  });
});

t.test('the server\'s answer to extension offers', async (t) => {
  const offers = parseExtensions('permessage-deflate; client_max_window_bits');
  t.same(acceptServerExtensions(undefined, offers), { extensions: '' }, 'off by default');
  t.same(acceptServerExtensions(true, parseExtensions('x-other')), { extensions: '' });
  t.same(acceptServerExtensions({ clientMaxWindowBits: 9 }, offers), {
    extensions: 'permessage-deflate; client_max_window_bits=9',
    deflate: { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 9 },
  });
  t.throws(() => acceptServerExtensions({ serverMaxWindowBits: 20 }, offers), RangeError, 'a bad option shows at once');
  t.same(compressionOptions({ threshold: 5 }), { threshold: 5 });
  t.equal(compressionOptions(false), undefined);
});
