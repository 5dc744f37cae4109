/**
 * A client that says GOAWAY (RFC 9114 §5.2) and then ends its QUIC
 * connection before the WebSocket's closing handshake: the server's
 * WebSocket reports 1001, going away (RFC 6455 §7.4.1), not 1006.
 */
import t from 'tap';
import { once } from 'node:events';
import type { WebSocketConnection } from '@wstack/core';
import { closed } from '@wstack/testkit';
import { WebSocketServer } from '../src/index.js';
import { encodeGoawayFrame } from '../src/h3/frames.js';
import { encodeHeaders } from '../src/h3/request-stream.js';
import { Http3Session } from '../src/h3/session.js';
import { devCert } from './h3-transport.js';
import { CONNECT_WEBSOCKET, rawClient } from './raw-quiche-client.js';

t.test("a client's GOAWAY and then the end of its connection close the server's WebSocket with 1001", async (t) => {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  const control = new Http3Session({ role: 'client' }).localStreams().control;
  const raw = await rawClient(port, (conn) => {
    conn.streamSend(2, control, false);
    conn.streamSend(0, encodeHeaders(CONNECT_WEBSOCKET), false);
  });
  await raw.established;
  const [atServer] = (await once(server, 'connection')) as [WebSocketConnection];
  t.equal(atServer.readyState, 1, 'the WebSocket is open');
  raw.conn.streamSend(2, encodeGoawayFrame(0), false);
  raw.flush();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await raw.close();
  const details = await closed(atServer);
  t.match(details, { code: 1001, wasClean: false, error: { name: 'GoneAwayError', code: 'GONE_AWAY', transport: 'h3' } });
});
