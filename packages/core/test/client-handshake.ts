/** The client's handshake over any transport: the answer's checks, and what it ends in: a connection with RFC 7692 negotiation, or a tunnel that takes the extensions as they are. */
import t from 'tap';
import { connectionEnding, connectOver, tunnelEnding, tunnelOver, type OutgoingHandshake, type TransportClient } from '../src/client-handshake.js';
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

/** A transport client over a memory carrier pair whose answer is given by the test. */
function fakeClient(headers: Record<string, string | string[] | undefined>) {
  const seen: { requests: OutgoingHandshake[]; abandoned: number; opened: unknown[] } = { requests: [], abandoned: 0, opened: [] };
  const [near, far] = createMemoryCarrierPair();
  const client: TransportClient = {
    transport: 'http/1.1',
    handshake: async (request) => {
      seen.requests.push(request);
      return {
        headers,
        carrier: () => near,
        opened: (opened) => seen.opened.push(opened),
        abandon: () => {
          seen.abandoned++;
          far.abort();
        },
      };
    },
  };
  return { client, seen, far };
}

t.test('connectOver: the request carries the offers; the answer is checked, then opened and handed to the transport', async (t) => {
  const { client, seen, far } = fakeClient({ 'sec-websocket-protocol': 'b', 'sec-websocket-extensions': ['permessage-deflate'] });
  const connection = await connectOver(client, 'ws://example.com/chat?x=1', { protocols: ['a', 'b'], perMessageDeflate: true });
  t.equal(seen.requests[0]!.url.href, 'ws://example.com/chat?x=1');
  t.same(seen.requests[0]!.protocols, ['a', 'b']);
  t.match(seen.requests[0]!.extensions, /^permessage-deflate/);
  t.equal(connection.protocol, 'b');
  t.equal(connection.extensions, 'permessage-deflate', 'a list of field lines is joined');
  t.equal(connection.path, '/chat?x=1');
  t.same(seen.opened, [connection]);
  t.equal(seen.abandoned, 0);
  connection.terminate();
  far.abort();
});

t.test('connectOver: an answer that fails the checks abandons the stream and rejects', async (t) => {
  const unoffered = fakeClient({ 'sec-websocket-protocol': 'c' });
  await t.rejects(connectOver(unoffered.client, 'ws://example.com/', { protocols: ['a'] }), { name: 'HandshakeError' });
  t.equal(unoffered.seen.abandoned, 1);
  t.same(unoffered.seen.opened, []);
  const extension = fakeClient({ 'sec-websocket-extensions': 'permessage-deflate' });
  await t.rejects(connectOver(extension.client, 'ws://example.com/', {}), { name: 'HandshakeError' }, 'an extension that was not offered');
  t.equal(extension.seen.abandoned, 1);
  await t.rejects(connectOver(extension.client, 'ftp://example.com/', {}), { name: 'UrlError', code: 'NOT_WEBSOCKET_URL' }, 'not a WebSocket URL: no request at all');
  t.equal(extension.seen.requests.length, 1);
});

t.test('tunnelOver: the offer goes out as given and any answer is taken', async (t) => {
  const { client, seen, far } = fakeClient({ 'sec-websocket-extensions': 'x-other', ':status': undefined });
  const tunnel = await tunnelOver(client, 'wss://example.com/t', { extensions: 'x-mine' });
  t.equal(seen.requests[0]!.extensions, 'x-mine');
  t.ok(tunnel instanceof Tunnel);
  t.equal(tunnel.extensions, 'x-other');
  t.same(seen.opened, [tunnel]);
  far.abort();
});
