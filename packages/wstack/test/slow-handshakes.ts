/**
 * `handshakeTimeout` covers the whole handshake on the servers wstack runs:
 * a client that sends its request head a byte at a time (slowloris), or
 * never finishes its TLS handshake, loses its socket at the deadline.
 */
import t from 'tap';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createServer } from '../src/index.js';

const DEADLINE = 1000;
/** The deadline, node:http's check interval (1 s at most) and slack for a loaded machine. */
const WITHIN = 4000;

/** Trickles a request head a byte every 200 ms and says after how many ms the server closed the socket. */
function trickle(socket: Socket, first: string): Promise<number> {
  const began = Date.now();
  socket.write(first);
  const timer = setInterval(() => socket.write('x'), 200);
  const guard = setTimeout(() => socket.destroy(), WITHIN + 3000);
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(timer);
      clearTimeout(guard);
      resolve(Date.now() - began);
    });
  });
}

for (const http2 of [true, false]) {
  t.test(`cleartext${http2 ? ' (HTTP/1.1 and h2c on one port)' : ' (HTTP/1.1 alone)'}: a request head sent a byte at a time is cut at the deadline`, async (t) => {
    const server = await createServer({ handshakeTimeout: DEADLINE, http2, handler: () => undefined });
    t.teardown(() => server.close());
    const socket = tcpConnect(server.address.port, '127.0.0.1');
    const ms = await trickle(socket, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    t.ok(ms >= DEADLINE - 100 && ms < WITHIN, `closed after ${ms} ms`);
  });
}

t.test('TLS: a handshake that never starts, and a request head sent a byte at a time after it, are cut at the deadline', async (t) => {
  const server = await createServer({ handshakeTimeout: DEADLINE, devCert: true, http3: false, handler: () => undefined });
  t.teardown(() => server.close());
  const silent = tcpConnect(server.address.port, '127.0.0.1');
  const silentMs = await trickle(silent, '');
  t.ok(silentMs < WITHIN, `no TLS handshake: closed after ${silentMs} ms`);
  const secure = tlsConnect({ port: server.address.port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
  await new Promise((resolve) => secure.once('secureConnect', resolve));
  const ms = await trickle(secure as unknown as Socket, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  t.ok(ms >= DEADLINE - 100 && ms < WITHIN, `a slow request head over TLS: closed after ${ms} ms`);
});
