/** openTunnel over HTTP/1.1: the handshake of connect, then the WebSocket's raw frames both ways (RFC 6455 §5). */
import t from 'tap';
import { HandshakeError, type Tunnel, type UpgradeRequest } from '@wstack/core';
import { clientFrame, closeFrame, echo, record, SERVER_CLOSE_1000, serverText } from '@wstack/testkit';
import { connect, openTunnel, WebSocketServer, type Http1ServerOptions } from '../src/index.js';

async function serve(options: Http1ServerOptions = {}) {
  const requests: UpgradeRequest[] = [];
  const server = new WebSocketServer({
    ...options,
    handler: (connection, request) => {
      requests.push(request);
      echo(connection);
    },
  });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  return { url: `ws://127.0.0.1:${port}`, requests };
}


t.test('a tunnel: the negotiated terms, and a masked text frame echoed as the server frames it', async (t) => {
  const { url } = await serve({ protocols: ['chat'] });
  const tunnel = await openTunnel(`${url}/tunnel?x=1`, { protocols: ['superchat', 'chat'] });
  const { nextFrame } = record(tunnel);
  t.equal(tunnel.transport, 'http/1.1');
  t.equal(tunnel.path, '/tunnel?x=1');
  t.equal(tunnel.protocol, 'chat');
  t.equal(tunnel.extensions, '');
  t.equal(tunnel.headers['sec-websocket-protocol'], 'chat', 'the answer\'s fields');
  tunnel.write(clientFrame(0x1, Buffer.from('hello')));
  t.same(await nextFrame(), serverText('hello'), 'unmasked, FIN and text, byte for byte');
  tunnel.abort();
});

t.test('the extension offer goes out verbatim and the answer is taken unchecked', async (t) => {
  const { url, requests } = await serve({ perMessageDeflate: true });
  const offer = 'permessage-deflate; client_max_window_bits';
  const deflate = await openTunnel(url, { extensions: offer });
  t.equal(requests[0]?.headers['sec-websocket-extensions'], offer, 'sent as given');
  t.match(deflate.extensions, /^permessage-deflate\b/, 'the server accepted it');
  t.equal(deflate.extensions, deflate.headers['sec-websocket-extensions'], 'the answer, as it came');
  deflate.abort();
  const bogus = await openTunnel(url, { extensions: 'x-unknown', perMessageDeflate: true });
  t.equal(requests[1]?.headers['sec-websocket-extensions'], 'x-unknown', 'perMessageDeflate does not change the offer');
  t.equal(bogus.extensions, '', 'not answered');
  bogus.abort();
  const none = await openTunnel(url, { perMessageDeflate: true });
  t.equal(requests[2]?.headers['sec-websocket-extensions'], undefined, 'no offer without `extensions`');
  none.abort();
});

t.test('a close frame written by hand: the server answers it and ends; end() then closes cleanly', async (t) => {
  const { url } = await serve();
  const tunnel = await openTunnel(url);
  const { seen, nextFrame, finish } = record(tunnel);
  tunnel.write(closeFrame(1000));
  t.same(await nextFrame(), SERVER_CLOSE_1000, 'the server\'s close frame');
  await finish();
  t.equal(seen.error, undefined, 'closed without error');
  t.equal(tunnel.closed, true);
});

t.test('a refused handshake fails openTunnel as it fails connect', async (t) => {
  const { url } = await serve({ authenticate: () => false });
  const failure = (attempt: Promise<unknown>) =>
    attempt.then(
      () => 'opened',
      (error: HandshakeError) => ({ class: error.constructor, name: error.name, code: error.code, status: error.status, message: error.message }),
    );
  const viaConnect = await failure(connect(url));
  t.match(viaConnect, { class: HandshakeError, code: 'UNEXPECTED_STATUS', status: 403 });
  t.same(await failure(openTunnel(url)), viaConnect);
});
