/**
 * A client and a server talking through their sans-I/O parts only: each
 * reads the other's unidirectional streams, then a WebSocket extended
 * CONNECT (RFC 9220) goes over one request stream.
 */
import t from 'tap';
import { Http3Session } from '../src/h3/session.js';
import { RequestStreamDecoder, encodeData, encodeDataHeader, encodeHeaders } from '../src/h3/request-stream.js';
import { encodeGoawayFrame } from '../src/h3/frames.js';

t.test('session setup and a WebSocket over HTTP/3 exchange', async (t) => {
  const client = new Http3Session({ role: 'client', random: () => 0.25 });
  const server = new Http3Session({ role: 'server', random: () => 0.75, maxFieldSectionSize: 8192 });

  // Client-initiated unidirectional streams are 2, 6, 10; server-initiated 3, 7, 11.
  const c = client.localStreams();
  const s = server.localStreams();
  t.same(server.receiveUnidirectional(2, c.control).map((e) => e.type), ['settings']);
  t.same(server.receiveUnidirectional(6, c.qpackEncoder!), []);
  t.same(server.receiveUnidirectional(10, c.qpackDecoder!), []);
  t.same(client.receiveUnidirectional(3, s.control).map((e) => e.type), ['settings']);
  t.same(client.receiveUnidirectional(7, s.qpackEncoder!), []);
  t.same(client.receiveUnidirectional(11, s.qpackDecoder!), []);
  t.equal(client.peerSettings?.enableConnectProtocol, true, 'the client may use extended CONNECT');
  t.equal(client.peerSettings?.maxFieldSectionSize, 8192);
  t.equal(server.peerSettings?.maxFieldSectionSize, 65536);

  // Request stream 0.
  const request = encodeHeaders([
    [':method', 'CONNECT'],
    [':protocol', 'websocket'],
    [':scheme', 'https'],
    [':authority', 'localhost:4433'],
    [':path', '/'],
    ['sec-websocket-version', '13'],
  ]);
  t.same(server.receiveBidirectional(0), []);
  const atServer = new RequestStreamDecoder({ role: 'server', maxFieldSectionSize: 8192 });
  const [first] = atServer.receive(request);
  t.equal(first?.type, 'request');
  t.equal(first?.type === 'request' && first.head.protocol, 'websocket');

  const atClient = new RequestStreamDecoder({ role: 'client', maxFieldSectionSize: 65536, requestMethod: 'CONNECT' });
  const response = atClient.receive(encodeHeaders([[':status', '200']]));
  t.match(response, [{ type: 'response', head: { status: 200, fields: [] } }]);

  // WebSocket frames travel as DATA, the payload written uncopied after its header.
  const wsFrame = Buffer.from([0x81, 0x02, 0x68, 0x69]);
  const toServer = atServer.receive(Buffer.concat([encodeDataHeader(wsFrame.length), wsFrame]));
  t.same(toServer, [{ type: 'data', data: wsFrame }]);
  t.same(atClient.receive(encodeData(wsFrame)), [{ type: 'data', data: wsFrame }]);
  t.same(atServer.receive(new Uint8Array(0), true), [{ type: 'end' }]);

  // The server goes away.
  t.same(client.receiveUnidirectional(3, encodeGoawayFrame(4)), [{ type: 'goaway', id: 4, exactId: 4n }]);
  t.equal(client.error, undefined);
  t.equal(server.error, undefined);
});
