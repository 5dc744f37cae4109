/** What a client's handshake ends in: a connection with RFC 7692 negotiation, or a tunnel that takes the extensions as they are. */
import t from 'tap';
import { connectionEnding, tunnelEnding } from '../src/client-ending.js';
import { WebSocketConnection } from '../src/connection.js';
import { HandshakeError } from '@wstack/protocol';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { Tunnel } from '../src/tunnel.js';

t.test('a connection offers permessage-deflate when asked, checks the answer, and opens a client connection', async (t) => {
  const plain = connectionEnding({});
  t.equal(plain.offer, undefined, 'no offer without perMessageDeflate');
  t.same(plain.agree(undefined), { extensions: '' });
  t.throws(() => plain.agree('permessage-deflate'), HandshakeError, 'an answer to no offer fails the handshake');
  const deflate = connectionEnding({ perMessageDeflate: true });
  t.match(deflate.offer, /^permessage-deflate/);
  t.match(deflate.agree('permessage-deflate'), { extensions: 'permessage-deflate', deflate: {} });
  const [carrier, far] = createMemoryCarrierPair();
  const connection = deflate.open(carrier, { extensions: 'permessage-deflate', deflate: deflate.agree('permessage-deflate').deflate! });
  t.ok(connection instanceof WebSocketConnection);
  t.equal(connection.extensions, 'permessage-deflate');
  connection.terminate();
  far.abort();
});

t.test('a tunnel sends the offer as given and takes any answer unchecked', async (t) => {
  t.equal(tunnelEnding({}).offer, undefined);
  const ending = tunnelEnding({ extensions: 'x-anything; a=1' });
  t.equal(ending.offer, 'x-anything; a=1');
  t.same(ending.agree('x-other'), { extensions: 'x-other' }, 'not among the offers, and still taken');
  t.same(ending.agree(undefined), { extensions: '' });
  const [carrier] = createMemoryCarrierPair();
  const tunnel = ending.open(carrier, { protocol: 'chat' });
  t.ok(tunnel instanceof Tunnel);
  t.equal(tunnel.protocol, 'chat');
});
