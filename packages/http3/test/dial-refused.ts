/**
 * A QUIC handshake toward a UDP port where nothing listens fails at once:
 * the kernel answers the Initial with ICMP port unreachable, which a
 * connected UDP socket reports as ECONNREFUSED (Linux), instead of waiting
 * for the idle timeout.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, SessionPool } from '../src/index.js';

t.test('connect to a closed UDP port fails within a second, naming the port', { skip: process.platform !== 'linux' && 'ICMP errors reach connected UDP sockets on Linux' }, async (t) => {
  const probe = createSocket('udp4');
  probe.bind(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  const started = Date.now();
  const error = await connect(`wss://127.0.0.1:${port}/`, { pool: new SessionPool(), handshakeTimeout: 10_000 }).catch((e: unknown) => e as Error);
  t.match(error, { name: 'DialError', message: new RegExp(`127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`) });
  t.ok(Date.now() - started < 1000, `failed after ${Date.now() - started} ms`);
});
