/**
 * Defect A of @matrixai/quic 2.0.9 (README): with crypto ops that settle in a
 * later macrotask (WebCrypto's HMAC runs on the thread pool), the second
 * datagram of one client Initial flight started a second accept before the
 * first had registered its connection, and the server made two quiche
 * connections under one connection id, each with half of a two-datagram
 * ClientHello (Chromium's): the handshake never completed. A relay that
 * delivers every client Initial datagram twice recreates the race without a
 * browser. Without the patch the first test sees two connections and a
 * client that times out.
 */
import t from 'tap';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { QUICConnection } from '@matrixai/quic';
import { quic } from '../src/quic-loader.js';
import { clientCrypto, silentLogger } from '../src/quic-support.js';
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

/** HMAC on WebCrypto: each promise settles in a later macrotask. */
function webCryptoServerCrypto() {
  const subtle = globalThis.crypto.subtle;
  const key = globalThis.crypto.getRandomValues(new Uint8Array(32)).buffer;
  const importKey = (raw: ArrayBuffer) => subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  return {
    key,
    ops: {
      sign: async (raw: ArrayBuffer, data: ArrayBuffer) => subtle.sign('HMAC', await importKey(raw), data),
      verify: async (raw: ArrayBuffer, data: ArrayBuffer, signature: ArrayBuffer) => subtle.verify('HMAC', await importKey(raw), signature, data),
    },
  };
}

t.test('QUICServer with an asynchronous HMAC accepts a doubled Initial flight once', async (t) => {
  for (let round = 0; round < 3; round++) {
    const server = new quic.QUICServer({
      crypto: webCryptoServerCrypto(),
      config: { key: devCert.key, cert: devCert.cert, applicationProtos: ['h3'], maxIdleTimeout: 5000, verifyPeer: false },
      logger: silentLogger,
    });
    const accepted: QUICConnection[] = [];
    server.addEventListener(quic.events.EventQUICServerConnection.name, (event: Event) => {
      const connection = (event as unknown as { detail: QUICConnection }).detail;
      accepted.push(connection);
      connection.addEventListener(quic.events.EventQUICConnectionStream.name, (streamEvent: Event) => {
        const stream = (streamEvent as unknown as { detail: { readable: ReadableStream; writable: WritableStream } }).detail;
        stream.readable.pipeTo(stream.writable).catch(() => undefined);
      });
    });
    await server.start({ host: '127.0.0.1', port: 0 });
    // The map the socket routes datagrams by: every connection the server made, started or not.
    const map = (server as unknown as { socket: { connectionMap: { set: (...args: unknown[]) => unknown } } }).socket.connectionMap;
    let made = 0;
    const set = map.set.bind(map);
    map.set = (id: unknown, connection: unknown) => {
      if ((connection as { type?: string }).type === 'server') made++;
      return set(id, connection);
    };
    const relay = await duplicatingRelay(server.port as number);
    let echoed = '';
    try {
      const client = await quic.QUICClient.createQUICClient(
        { host: '127.0.0.1', port: relay.port, localHost: '127.0.0.1', crypto: clientCrypto, config: { verifyPeer: false, applicationProtos: ['h3'], maxIdleTimeout: 5000 }, logger: silentLogger },
        { timer: 8000 },
      );
      const stream = client.connection.newStream('bidi');
      const writer = stream.writable.getWriter();
      await writer.write(Buffer.from('ping'));
      await writer.close();
      for await (const chunk of stream.readable) echoed += Buffer.from(chunk).toString();
      await client.destroy({ force: true });
    } catch (error) {
      t.comment(`round ${round}: ${(error as Error).message}`);
    }
    await server.stop({ force: true });
    relay.socket.close();
    t.equal(made, 1, `round ${round}: one connection for one Initial flight`);
    t.equal(echoed, 'ping', `round ${round}: the handshake completed and a stream echoed`);
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
