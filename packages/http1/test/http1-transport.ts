/** The conformance suite's view of HTTP/1.1: a fresh server per pair, ws:// or wss://. */
import type { UpgradeRequest, WebSocketConnection } from '@wstack/core';
import { createDevCert } from '@wstack/dev-cert';
import type { TransportUnderTest } from '@wstack/testkit';
import { connect, WebSocketServer } from '../src/index.js';

export const devCert = createDevCert();

export function http1Transport(secure: boolean, deflate = false): TransportUnderTest {
  const servers: WebSocketServer[] = [];
  return {
    name: `http/1.1 ${secure ? 'wss://' : 'ws://'}${deflate ? ' with permessage-deflate' : ''}`,
    transport: 'http/1.1',
    handshake: true,
    async open(options = {}) {
      let accepted!: (value: [WebSocketConnection, UpgradeRequest]) => void;
      const arrived = new Promise<[WebSocketConnection, UpgradeRequest]>((resolve) => (accepted = resolve));
      const server = new WebSocketServer({ perMessageDeflate: deflate, ...options.server, handler: (connection, request) => accepted([connection, request]) });
      servers.push(server);
      const { port } = await server.listen(secure ? { tls: { cert: devCert.cert, key: devCert.key } } : {});
      const url = `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}${options.path ?? '/'}`;
      const client = await connect(url, { perMessageDeflate: deflate, ...options.client, tls: { ca: devCert.cert } });
      const [server_, request] = await arrived;
      return { client, server: server_, request };
    },
    async dispose() {
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}
