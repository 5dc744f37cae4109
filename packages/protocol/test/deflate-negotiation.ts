/** permessage-deflate negotiation (RFC 7692 §7.1), both roles, as tables. */
import t from 'tap';
import {
  acceptDeflateAnswer,
  acceptDeflateOffer,
  checkDeflateNegotiation,
  deflateOffer,
  type DeflateNegotiation,
  type DeflateParams,
} from '../src/deflate-negotiation.js';
import { parseExtensions } from '../src/header-values.js';

const DEFAULTS: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };

t.test('server: the answer and agreed parameters for each offer', async (t) => {
  const table: [string, DeflateNegotiation, string, Partial<DeflateParams>][] = [
    ['permessage-deflate', {}, 'permessage-deflate', {}],
    ['permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', {}],
    ['permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['permessage-deflate; client_max_window_bits=12', {}, 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 12 }],
    ['permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    ['permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 14 }, 'permessage-deflate; client_max_window_bits=12', { clientMaxWindowBits: 12 }],
    // §7.1.2.2: without client_max_window_bits in the offer, the answer must not limit the client.
    ['permessage-deflate', { clientMaxWindowBits: 10 }, 'permessage-deflate', {}],
    ['permessage-deflate; server_max_window_bits=10', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 9 }, 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 9 }],
    ['permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 12 }, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    ['permessage-deflate; server_max_window_bits=8', {}, 'permessage-deflate; server_max_window_bits=8', { serverMaxWindowBits: 8 }],
    ['permessage-deflate; server_max_window_bits="10"', {}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    // §7.1.2.1: the server may state its window unasked.
    ['permessage-deflate', { serverMaxWindowBits: 11 }, 'permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
    ['permessage-deflate; server_no_context_takeover', {}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ['permessage-deflate', { serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    ['permessage-deflate; client_no_context_takeover', {}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    ['permessage-deflate', { clientNoContextTakeover: true }, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    [
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8',
      {},
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8',
      { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 9, clientMaxWindowBits: 8 },
    ],
    // Several offers: the first acceptable one wins; other extensions are passed over.
    ['x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=7, permessage-deflate; client_max_window_bits', {}, 'permessage-deflate', {}],
    ['permessage-deflate; server_max_window_bits=11, permessage-deflate', {}, 'permessage-deflate; server_max_window_bits=11', { serverMaxWindowBits: 11 }],
  ];
  for (const [offer, options, response, params] of table) {
    const accepted = acceptDeflateOffer(parseExtensions(offer), options);
    t.same(accepted, { response, params: { ...DEFAULTS, ...params } }, `${offer} with ${JSON.stringify(options)}`);
  }
});

t.test('server: invalid offers are declined', async (t) => {
  const invalid = [
    'permessage-deflate; x_unknown',
    'permessage-deflate; server_no_context_takeover; server_no_context_takeover',
    'permessage-deflate; server_no_context_takeover=1',
    'permessage-deflate; client_no_context_takeover=true',
    'permessage-deflate; server_max_window_bits',
    'permessage-deflate; server_max_window_bits=7',
    'permessage-deflate; server_max_window_bits=16',
    'permessage-deflate; server_max_window_bits=08',
    'permessage-deflate; server_max_window_bits=1 0',
    'permessage-deflate; client_max_window_bits=7',
    'permessage-deflate; client_max_window_bits=10; client_max_window_bits=11',
    'x-webkit-deflate-frame',
  ];
  for (const offer of invalid) {
    let offers;
    try {
      offers = parseExtensions(offer);
    } catch {
      t.pass(`${offer}: not even a valid header`);
      continue;
    }
    t.equal(acceptDeflateOffer(offers), null, offer);
  }
  t.equal(acceptDeflateOffer([]), null, 'nothing offered');
});

t.test('client: the offer states what the options ask for, and always allows a window limit', async (t) => {
  t.equal(deflateOffer(), 'permessage-deflate; client_max_window_bits');
  t.equal(
    deflateOffer({ serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 12 }),
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12',
  );
  t.throws(() => deflateOffer({ serverMaxWindowBits: 16 }), RangeError);
});

t.test('client: answers the offer allows', async (t) => {
  const table: [DeflateNegotiation, string, Partial<DeflateParams>][] = [
    [{}, 'permessage-deflate', {}],
    [{}, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    [{}, 'permessage-deflate; client_no_context_takeover', { clientNoContextTakeover: true }],
    [{}, 'permessage-deflate; server_max_window_bits=10', { serverMaxWindowBits: 10 }],
    [{}, 'permessage-deflate; client_max_window_bits=9', { clientMaxWindowBits: 9 }],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=9', { serverMaxWindowBits: 9 }],
    [{ serverNoContextTakeover: true }, 'permessage-deflate; server_no_context_takeover', { serverNoContextTakeover: true }],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=10', { clientMaxWindowBits: 10 }],
    // Our own hint binds us even when the answer says nothing (§7.1.2.2).
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate', { clientMaxWindowBits: 10 }],
    [{ clientNoContextTakeover: true }, 'permessage-deflate', { clientNoContextTakeover: true }],
  ];
  for (const [options, answer, params] of table) {
    t.same(acceptDeflateAnswer(parseExtensions(answer), options), { ...DEFAULTS, ...params }, `${answer} to ${JSON.stringify(options)}`);
  }
  t.throws(() => acceptDeflateAnswer([]), { code: 'INVALID_EXTENSION' }, 'an answer without an extension is no answer');
});

t.test('client: answers the offer does not allow fail the handshake', async (t) => {
  const table: [DeflateNegotiation, string][] = [
    [{}, 'permessage-deflate; x_unknown'],
    [{}, 'permessage-deflate; server_no_context_takeover; server_no_context_takeover'],
    [{}, 'permessage-deflate; server_max_window_bits=16'],
    [{}, 'permessage-deflate; client_max_window_bits'],
    [{}, 'permessage-deflate; client_max_window_bits=7'],
    [{}, 'permessage-deflate, permessage-deflate'],
    [{}, 'x-other'],
    [{}, 'permessage-deflate, x-other'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate'],
    [{ serverMaxWindowBits: 10 }, 'permessage-deflate; server_max_window_bits=11'],
    [{ serverNoContextTakeover: true }, 'permessage-deflate'],
    [{ clientMaxWindowBits: 10 }, 'permessage-deflate; client_max_window_bits=11'],
  ];
  for (const [options, answer] of table) {
    t.throws(() => acceptDeflateAnswer(parseExtensions(answer), options), { name: 'HandshakeError', code: 'INVALID_EXTENSION' }, `${answer} to ${JSON.stringify(options)}`);
  }
});

t.test('window bits must be 8 to 15', async (t) => {
  for (const bits of [7, 16, 9.5, NaN]) {
    t.throws(() => checkDeflateNegotiation({ clientMaxWindowBits: bits }), RangeError, String(bits));
    t.throws(() => checkDeflateNegotiation({ serverMaxWindowBits: bits }), RangeError, String(bits));
  }
  checkDeflateNegotiation({ serverMaxWindowBits: 8, clientMaxWindowBits: 15 });
});
