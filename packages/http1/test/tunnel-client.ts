/** openTunnel over HTTP/1.1: the handshake of connect, then the WebSocket's raw frames both ways (RFC 6455 §5). */
import t, { type Test } from 'tap';
import { recordingEcho, runTunnelClientSuite } from '@wstack/testkit';
import { connect, openTunnel, WebSocketServer, type Http1ServerOptions } from '../src/index.js';

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
