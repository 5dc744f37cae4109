/**
 * A peer that vanishes: opens WebSockets over every transport, talks a
 * little, and is killed (SIGKILL) by the orchestrator without a close of
 * any kind. Its TCP connections are reset by the kernel; its QUIC
 * connections just go silent, which the server must find by itself.
 *
 *   node victim.js PORT PER_TRANSPORT
 */
import { connect, SessionPool } from 'wstack';
import { SessionPool as QuicPool } from '@wstack/http3';

const [port, perTransport] = process.argv.slice(2).map(Number) as [number, number];
const url = `wss://127.0.0.1:${port}/victim`;
const tls = { rejectUnauthorized: false };
const pool = new SessionPool();
const quic = Array.from({ length: 4 }, () => new QuicPool());

let open = 0;
const opening: Promise<void>[] = [];
for (let i = 0; i < perTransport; i++) {
  for (const options of [{ transport: 'h1' as const, tls }, { transport: 'h2' as const, tls, pool }, { transport: 'h3' as const, tls, http3Pool: quic[i % quic.length]! }]) {
    opening.push(
      connect(url, options).then(
        (connection) => {
          open++;
          connection.on('message', () => undefined);
          setInterval(() => connection.readyState === 1 && connection.send('victim'), 1_000);
        },
        () => undefined,
      ),
    );
  }
}
await Promise.all(opening);
process.send!({ type: 'open', open });
