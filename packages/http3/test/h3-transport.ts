/** The conformance suite's view of HTTP/3: a fresh server per pair, clients sharing one pool (one QUIC connection per server). */
import type { UpgradeRequest, WebSocketConnection } from '@wstack/core';
import { createDevCert } from '@wstack/dev-cert';
import type { TransportUnderTest } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer, type Http3Tuning } from '../src/index.js';

export const devCert = createDevCert();

/**
 * Loopback takes large datagrams: the library's cost is per datagram (README,
 * throughput), and the suite moves tens of MiB.
 */
export const LOOPBACK_TUNING: Http3Tuning = { maxUdpPayloadSize: 16_000 };

/**
 * The server's next `count` connections refuse every request unprocessed
 * (H3_REQUEST_REJECTED) as if their GOAWAY had left just before: the client
 * hears only the refusal. `made` counts the connections taken since;
 * `refuse` sets how many more refuse.
 */
export function refuseRequests(server: WebSocketServer, count: number): { readonly made: number; refuse(count: number): void } {
  const sessions = (server as unknown as { sessions: Set<{ goawaySent: boolean }> }).sessions;
  let refusing = count;
  let made = 0;
  const add = sessions.add.bind(sessions);
  sessions.add = (session) => {
    made++;
    if (refusing-- > 0) session.goawaySent = true;
    return add(session);
  };
  return {
    get made() {
      return made;
    },
    refuse: (more) => void (refusing = more),
  };
}

export function h3Transport(deflate = false): TransportUnderTest {
  const servers: WebSocketServer[] = [];
  const pool = new SessionPool(LOOPBACK_TUNING);
  return {
    name: `h3 wss:// (QUIC, ALPN h3)${deflate ? ' with permessage-deflate' : ''}`,
    transport: 'h3',
    handshake: true,
    async open(options = {}) {
      let accepted!: (value: [WebSocketConnection, UpgradeRequest]) => void;
      const arrived = new Promise<[WebSocketConnection, UpgradeRequest]>((resolve) => (accepted = resolve));
      const server = new WebSocketServer({ perMessageDeflate: deflate, ...LOOPBACK_TUNING, ...options.server, handler: (connection, request) => accepted([connection, request]) });
      servers.push(server);
      const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
      const url = `wss://127.0.0.1:${port}${options.path ?? '/'}`;
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
