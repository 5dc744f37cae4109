/**
 * The QUIC driver of src/quic as a peer sees it on the wire, before any
 * connection exists: a taken port (a clear error), Version Negotiation
 * (RFC 9000 §6), Retry (RFC 9000 §8.1.2, §17.2.5), packets that may not
 * start a connection (0-RTT, Handshake: RFC 9000 §17.2), the Retry tokens
 * themselves, many WebSockets on one connection, and a server without Retry.
 */
import t, { type Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { closed, echo, nextMessage } from '@wstack/testkit';
import { connect, ListenError, SessionPool, WebSocketServer, type Http3ServerOptions } from '../src/index.js';
import { quiche } from '../src/quic/native.js';
import { RETRY_TOKEN_LIFETIME, RetryTokens } from '../src/quic/retry-token.js';
import type { ServerEndpoint } from '../src/quic/server-endpoint.js';
import { devCert } from './h3-transport.js';

/** Long enough for an answer on loopback; an answer that did not come by then is taken as none. */
const QUIET = 300;

async function serve(t: Test, options: Http3ServerOptions = {}) {
  const server = new WebSocketServer({ handler: echo, ...options });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  // The endpoint is private; its counters are what a test can see of packets that made nothing.
  const endpoint = (server as unknown as { endpoint: ServerEndpoint }).endpoint;
  return { server, port, endpoint };
}

async function udpSocket(t: Test): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  t.teardown(() => socket.close());
  return socket;
}

/** Sends one datagram from `socket` and collects what comes back within QUIET ms. */
async function exchange(socket: Socket, port: number, datagram: Buffer): Promise<Buffer[]> {
  const answers: Buffer[] = [];
  const collect = (message: Buffer) => answers.push(message);
  socket.on('message', collect);
  socket.send(datagram, port, '127.0.0.1');
  await new Promise((resolve) => setTimeout(resolve, QUIET));
  socket.off('message', collect);
  return answers;
}

/** A long header (RFC 9000 §17.2): first byte, version, DCID and SCID with their lengths, then `rest`. */
function longHeader(first: number, version: number, dcid: Buffer, scid: Buffer, rest: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = first;
  head.writeUInt32BE(version, 1);
  return Buffer.concat([head, Buffer.from([dcid.length]), dcid, Buffer.from([scid.length]), scid, rest]);
}

/** What a Version Negotiation packet says (RFC 9000 §17.2.1). */
function readVersionNegotiation(packet: Buffer) {
  const dcidLength = packet[5]!;
  const dcid = packet.subarray(6, 6 + dcidLength);
  const scidLength = packet[6 + dcidLength]!;
  const scid = packet.subarray(7 + dcidLength, 7 + dcidLength + scidLength);
  const versions: number[] = [];
  for (let at = 7 + dcidLength + scidLength; at + 4 <= packet.length; at += 4) versions.push(packet.readUInt32BE(at));
  return { longHeader: (packet[0]! & 0x80) !== 0, version: packet.readUInt32BE(1), dcid, scid, versions };
}

/** A real client Initial of quiche's (RFC 9000 §17.2.2), padded to 1200 bytes by quiche, and the connection that made it. */
function clientInitial(localPort: number, serverPort: number) {
  const config = quiche.Config.withBoringSslCtx(false, false, null, null, null, null);
  config.setApplicationProtos(['h3']);
  config.setMaxIdleTimeout(5000);
  const scid = randomBytes(16);
  const local = { host: '127.0.0.1', port: localPort };
  const remote = { host: '127.0.0.1', port: serverPort };
  const conn = quiche.Connection.connect('localhost', scid, local, remote, config);
  const next = (): Buffer => {
    const out = Buffer.alloc(1350);
    const sent = conn.send(out);
    if (sent === null) throw new Error('quiche had nothing to send');
    return out.subarray(0, sent[0]);
  };
  return { conn, scid, local, remote, next };
}

t.test('(a) a UDP port already taken: listen rejects with EADDRINUSE naming the port', async (t) => {
  const taken = await udpSocket(t);
  const { port } = taken.address();
  const server = new WebSocketServer({ handler: echo });
  const error = await server.listen({ port, host: '127.0.0.1', tls: { cert: devCert.cert, key: devCert.key } }).catch((e: unknown) => e);
  t.type(error, ListenError);
  t.equal((error as ListenError).code, 'EADDRINUSE');
  t.match((error as Error).message, String(port), 'the message names the port');
  t.match((error as Error).message, 'EADDRINUSE');
  // The failed listen left nothing behind: the same server listens elsewhere.
  const address = await server.listen({ port: 0, tls: { cert: devCert.cert, key: devCert.key } });
  t.not(address.port, port);
  await server.close();
});

t.test('(b) an unknown version gets Version Negotiation listing version 1; a datagram below 1200 bytes gets nothing (RFC 9000 §6, §14.1)', async (t) => {
  const { port, endpoint } = await serve(t);
  const socket = await udpSocket(t);
  const dcid = randomBytes(12);
  const scid = randomBytes(9);
  const probe = (size: number) => {
    // A zero token length and zero padding: a packet of the unknown version that happens to parse as version 1's layout too.
    const head = longHeader(0xc0, 0x1a2a3a4a, dcid, scid, Buffer.alloc(0));
    return Buffer.concat([head, Buffer.alloc(size - head.length)]);
  };
  const answers = await exchange(socket, port, probe(1200));
  t.equal(answers.length, 1, 'one answer');
  const vn = readVersionNegotiation(answers[0]!);
  t.ok(vn.longHeader, 'long header bit set');
  t.equal(vn.version, 0, 'version field 0');
  t.same([...vn.dcid], [...scid], 'its DCID is our SCID (RFC 9000 §17.2.1)');
  t.same([...vn.scid], [...dcid], 'its SCID is our DCID');
  t.ok(vn.versions.includes(0x00000001), `lists version 1 (${vn.versions.map((v) => v.toString(16)).join(', ')})`);
  const dropped = endpoint.dropped;
  t.same(await exchange(socket, port, probe(1199)), [], 'no answer to 1199 bytes');
  t.equal(endpoint.dropped, dropped + 1, 'counted as dropped');
});

t.test('(b2) Version Negotiation reads only the version-independent fields (RFC 8999 §5.1, §6; RFC 9000 §5.2.2)', async (t) => {
  // After the SCID, an unknown version's bytes mean nothing we can know: 0xff is no token length of version 1's, and must not matter.
  const { port } = await serve(t);
  const socket = await udpSocket(t);
  const head = longHeader(0xc0, 0x1a2a3a4a, randomBytes(8), randomBytes(8), Buffer.alloc(0));
  const answers = await exchange(socket, port, Buffer.concat([head, Buffer.alloc(1200 - head.length, 0xff)]));
  t.equal(answers.length, 1, 'a Version Negotiation packet, whatever follows the connection ids');
});

t.test('(b3) a Version Negotiation packet is never answered with one (RFC 9000 §6.1)', async (t) => {
  // "An endpoint MUST NOT send a Version Negotiation packet in response to receiving a Version Negotiation packet."
  const { port, server } = await serve(t);
  const socket = await udpSocket(t);
  // A well-formed one (RFC 9000 §17.2.1): its Supported Versions list is whole 32-bit versions (300 of them: a full-size datagram).
  const versions = Buffer.alloc(1200);
  for (let at = 0; at < versions.length; at += 4) versions.writeUInt32BE(0x1a2a3a4a, at);
  const answers = await exchange(socket, port, longHeader(0xc0, 0, randomBytes(8), randomBytes(8), versions));
  t.same(answers.map((answer) => ({ bytes: answer.length, version: answer.readUInt32BE(1) })), [], 'no answer');
  t.equal(server.sessionCount, 0);
});

t.test('(c) an Initial without a token gets a Retry (RFC 9000 §8.1.2, §17.2.5) that quiche accepts; its token opens a connection from that address only', async (t) => {
  const { port, endpoint } = await serve(t);
  const socket = await udpSocket(t);
  const client = clientInitial(socket.address().port, port);
  const initial = client.next();
  t.ok(initial.length >= 1200, 'a client Initial datagram is at least 1200 bytes (RFC 9000 §14.1)');
  const answers = await exchange(socket, port, initial);
  t.equal(answers.length, 1, 'one answer');
  const retry = answers[0]!;
  t.equal(retry[0]! & 0xf0, 0xf0, 'long header, fixed bit, type 3 (Retry)');
  t.equal(retry.readUInt32BE(1), 1, 'version 1');
  const header = quiche.Header.fromSlice(retry, 16);
  t.equal(header.ty, quiche.Type.Retry);
  t.same([...header.dcid], [...client.scid], 'addressed to our SCID');
  t.ok(header.token && header.token.length > 0, 'carries a token');
  t.equal(endpoint.connectionCount, 0, 'no connection state before the address is validated');
  // quiche checks the Retry Integrity Tag (RFC 9001 §5.8) and the ids; a bad Retry throws or is ignored.
  client.conn.recv(retry, { from: client.remote, to: client.local });
  const second = client.next();
  const again = quiche.Header.fromSlice(second, 16);
  t.same([...(again.token ?? [])], [...header.token!], 'the next Initial repeats the token');
  t.same([...again.dcid], [...header.scid], 'to the connection id the Retry chose');
  // The same Initial from another port proves nothing about that port (RFC 9000 §8.1.4): dropped.
  const elsewhere = await udpSocket(t);
  const dropped = endpoint.dropped;
  t.same(await exchange(elsewhere, port, second), [], 'no answer from another port');
  t.equal(endpoint.dropped, dropped + 1, 'dropped');
  t.equal(endpoint.connectionCount, 0, 'no connection');
  const handshake = await exchange(socket, port, second);
  t.ok(handshake.length > 0, 'the server answers the validated Initial (its Handshake flight)');
  t.equal(endpoint.connectionCount, 1, 'one connection, made by the validated Initial');
});

t.test('(d) 0-RTT and Handshake packets of unknown connections are dropped unanswered (RFC 9000 §17.2.3, §17.2.4)', async (t) => {
  const { port, endpoint, server } = await serve(t);
  const socket = await udpSocket(t);
  // First bytes: long header, fixed bit, type 1 (0-RTT) or 2 (Handshake), two-byte packet number.
  for (const [name, first] of [['0-RTT', 0xd1], ['Handshake', 0xe1]] as const) {
    // Length varint 0x44b0 (1200) then packet number and payload: shaped like a real packet, never decryptable.
    const head = longHeader(first, 1, randomBytes(16), randomBytes(16), Buffer.from([0x44, 0xb0]));
    const packet = Buffer.concat([head, randomBytes(1250 - head.length)]);
    const dropped = endpoint.dropped;
    t.same(await exchange(socket, port, packet), [], `${name}: no answer`);
    t.equal(endpoint.dropped, dropped + 1, `${name}: counted as dropped`);
    t.equal(endpoint.connectionCount, 0, `${name}: no connection`);
  }
  t.equal(server.sessionCount, 0);
});

t.test('(e) 20 WebSockets on one QUIC connection open, echo and close without MaxListenersExceededWarning', async (t) => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  t.teardown(() => void process.off('warning', onWarning));
  const { port, server } = await serve(t);
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  // All at once: the handshakes wait together for the one connection and its SETTINGS.
  const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => connect(`wss://127.0.0.1:${port}/${i}`, { pool, tls: { ca: devCert.cert } })));
  t.equal(pool.sessionCount, 1, 'one QUIC connection in the pool');
  t.equal(server.sessionCount, 1, 'one QUIC connection at the server');
  const replies = await Promise.all(
    clients.map((client, i) => {
      const reply = nextMessage(client);
      client.send(`message ${i}`);
      return reply;
    }),
  );
  t.same(replies.map((reply) => reply.data.toString()), clients.map((_, i) => `message ${i}`), 'each echoed its own');
  for (const client of clients) client.close(1000);
  const ends = await Promise.all(clients.map((client) => closed(client)));
  t.ok(ends.every((end) => end.code === 1000 && end.wasClean), 'all closed cleanly with 1000');
  // process.emitWarning reports on a later tick.
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message), [], 'no MaxListenersExceededWarning');
});

t.test('(f) Retry tokens (RFC 9000 §8.1.3, §8.1.4)', async (t) => {
  let now = 1_000_000;
  const tokens = new RetryTokens(() => now);
  const odcid = randomBytes(8);
  const rscid = randomBytes(16);
  const token = tokens.mint(odcid, rscid, '192.0.2.1', 4433);
  const valid = tokens.validate(token, '192.0.2.1', 4433);
  t.same(valid && [...valid.originalDcid], [...odcid], 'same address and port: the original DCID comes back');
  t.same(valid && [...valid.retryScid], [...rscid], 'and the Retry SCID');
  t.equal(tokens.validate(token, '192.0.2.2', 4433), undefined, 'another address');
  t.equal(tokens.validate(token, '192.0.2.1', 4434), undefined, 'another port');
  t.equal(new RetryTokens(() => now).validate(token, '192.0.2.1', 4433), undefined, 'another server (another key)');
  for (let i = 0; i < token.length; i++) {
    const flipped = Buffer.from(token);
    flipped[i]! ^= 0x01;
    if (tokens.validate(flipped, '192.0.2.1', 4433) !== undefined) t.fail(`byte ${i} flipped still validates`);
  }
  t.pass('no single flipped bit validates');
  for (const length of [0, 1, token.length - 32, token.length - 1]) {
    t.equal(tokens.validate(token.subarray(0, length), '192.0.2.1', 4433), undefined, `truncated to ${length} bytes`);
  }
  t.equal(tokens.validate(Buffer.concat([token, Buffer.from([0])]), '192.0.2.1', 4433), undefined, 'one byte appended');
  now += RETRY_TOKEN_LIFETIME;
  t.not(tokens.validate(token, '192.0.2.1', 4433), undefined, 'valid up to its lifetime');
  now += 1;
  t.equal(tokens.validate(token, '192.0.2.1', 4433), undefined, 'not after RETRY_TOKEN_LIFETIME');
  now -= RETRY_TOKEN_LIFETIME + 1_000;
  t.equal(tokens.validate(token, '192.0.2.1', 4433), undefined, 'not before it was made (a clock that went back)');
});

t.test('(g) a server with retry: false accepts connections too', async (t) => {
  const { port, endpoint } = await serve(t, { retry: false });
  const socket = await udpSocket(t);
  const client = clientInitial(socket.address().port, port);
  const answers = await exchange(socket, port, client.next());
  t.ok(answers.length > 0 && answers.every((answer) => (answer[0]! & 0xf0) !== 0xf0), 'the first Initial is answered, by no Retry');
  t.equal(endpoint.connectionCount, 1, 'the first Initial made a connection');
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const ws = await connect(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: devCert.cert } });
  const reply = nextMessage(ws);
  ws.send('no retry');
  t.equal((await reply).data.toString(), 'no retry');
  ws.close(1000);
  t.equal((await closed(ws)).code, 1000);
});
