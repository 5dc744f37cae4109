import t from 'tap';
import { checkExtensionsAnswer, checkSubprotocolAnswer, selectSubprotocol } from '../src/negotiate.js';

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

t.test('the client checks the server\'s extensions against its offer', async (t) => {
  t.equal(checkExtensionsAnswer([], undefined), '');
  t.equal(checkExtensionsAnswer(['permessage-deflate'], 'permessage-deflate; server_no_context_takeover'), 'permessage-deflate; server_no_context_takeover');
  t.throws(() => checkExtensionsAnswer([], 'permessage-deflate'), { code: 'INVALID_EXTENSION' });
  t.throws(() => checkExtensionsAnswer(['a'], 'a;'), { code: 'INVALID_HEADER' });
});
