/**
 * Defect A of @matrixai/quic 2.0.9 (README): with crypto that settled in a
 * later macrotask, the second datagram of one client Initial flight started
 * a second accept before the first had registered its connection, and the
 * server made two quiche connections under one connection id, each with
 * half of a two-datagram ClientHello (Chromium's): the handshake never
 * completed. Our driver handles each datagram synchronously, so this cannot
 * happen; a relay that delivers every client Initial datagram twice checks
 * it without a browser.
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

/** A relay that sends each client datagram starting with an Initial packet (RFC 9000 §17.2.2) twice. */
async function duplicatingRelay(serverPort: number): Promise<{ port: number; socket: Socket }> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let client: { address: string; port: number } | undefined;
  socket.on('message', (message, from) => {
    if (from.port === serverPort) {
      if (client) socket.send(message, client.port, client.address);
      return;
    }
    client = { address: from.address, port: from.port };
    const initial = (message[0]! & 0x80) !== 0 && (message[0]! & 0x30) === 0;
    socket.send(message, serverPort, '127.0.0.1');
    if (initial) socket.send(message, serverPort, '127.0.0.1');
  });
  return { port: socket.address().port, socket };
}

t.test('a doubled Initial flight makes one QUIC connection', async (t) => {
  const server = new WebSocketServer({ handler: (connection) => connection.on('message', (data, binary) => connection.send(data, { binary })) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const relay = await duplicatingRelay(port);
  t.teardown(async () => {
    relay.socket.close();
    await server.close();
  });
  for (let round = 0; round < 3; round++) {
    const pool = new SessionPool();
    const client = await connect(`wss://127.0.0.1:${relay.port}/`, { pool, tls: { ca: devCert.cert } });
    t.equal(server.sessionCount, 1, `round ${round}: one connection for one Initial flight`);
    const reply = new Promise<string>((resolve) => client.once('message', (data) => resolve(data.toString())));
    client.send(`round ${round}`);
    t.equal(await reply, `round ${round}`, `round ${round}: the handshake completed and the WebSocket echoed`);
    client.close(1000);
    await new Promise((resolve) => client.once('close', resolve));
    pool.close();
    while (server.sessionCount !== 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
});

t.test('WebSocketServer and connect through the doubling relay', async (t) => {
  const server = new WebSocketServer({ handler: (connection) => connection.on('message', (data, binary) => connection.send(data, { binary })) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const relay = await duplicatingRelay(port);
  const pool = new SessionPool();
  t.teardown(async () => {
    pool.close();
    relay.socket.close();
    await server.close();
  });
  const client = await connect(`wss://127.0.0.1:${relay.port}/`, { pool, tls: { ca: devCert.cert } });
  const reply = new Promise<string>((resolve) => client.once('message', (data) => resolve(data.toString())));
  client.send('through the relay');
  t.equal(await reply, 'through the relay');
  client.close(1000);
  await new Promise((resolve) => client.once('close', resolve));
});
