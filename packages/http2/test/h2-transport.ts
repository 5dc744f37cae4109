/** The conformance suite's view of HTTP/2: a fresh server per pair, TLS (ALPN h2) or h2c with prior knowledge. */
import type { UpgradeRequest, WebSocketConnection } from '@wstack/core';
import { createDevCert } from '@wstack/dev-cert';
import type { TransportUnderTest } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';

export const devCert = createDevCert();

export function h2Transport(secure: boolean, deflate = false): TransportUnderTest {
  const servers: WebSocketServer[] = [];
  const pool = new SessionPool();
  return {
    name: `h2 ${secure ? 'wss:// (TLS, ALPN h2)' : 'ws:// (h2c, prior knowledge)'}${deflate ? ' with permessage-deflate' : ''}`,
    transport: 'h2',
    handshake: true,
    async open(options = {}) {
      let accepted!: (value: [WebSocketConnection, UpgradeRequest]) => void;
      const arrived = new Promise<[WebSocketConnection, UpgradeRequest]>((resolve) => (accepted = resolve));
      const server = new WebSocketServer({ perMessageDeflate: deflate, ...options.server, handler: (connection, request) => accepted([connection, request]) });
      servers.push(server);
      const { port } = await server.listen(secure ? { tls: { cert: devCert.cert, key: devCert.key } } : {});
      const url = `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}${options.path ?? '/'}`;
      const client = await connect(url, { perMessageDeflate: deflate, ...options.client, tls: { ca: devCert.cert }, pool });
      const [server_, request] = await arrived;
      return { client, server: server_, request };
    },
    async dispose() {
      pool.close();
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}
