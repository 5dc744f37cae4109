/** Tunnels over HTTP/1.1 (core's tunnelOver): the handshake of connect, then the WebSocket's raw frames both ways (RFC 6455 §5). */
import t, { type Test } from 'tap';
import { recordingEcho, runTunnelClientSuite } from '@wstack/testkit';
import { tunnelOver, type TunnelOffer } from '@wstack/core';
import { connect, http1Client, WebSocketServer, type Http1ClientOptions, type Http1ServerOptions } from '../src/index.js';

const openTunnel = (url: string, options: Http1ClientOptions & TunnelOffer) => tunnelOver(http1Client, url, options);

async function serve(t: Test, options: Http1ServerOptions = {}) {
  const { requests, handler } = recordingEcho();
  const server = new WebSocketServer({ ...options, handler });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  return { url: `ws://127.0.0.1:${port}`, requests };
}

runTunnelClientSuite(t, {
  transport: 'http/1.1',
  serve: async (t, options) => ({ ...(await serve(t, options)), clientOptions: {} }),
  connect,
  openTunnel,
});
