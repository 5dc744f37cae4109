/**
 * A flood of datagrams no QUIC client sends, at a running WebSocket server
 * over HTTP/3: random bytes; long headers (RFC 9000 §17.2) of every type
 * with versions 1, 0 (Version Negotiation), others and unknown ones, and
 * connection id lengths up to 255 whatever bytes follow; truncated Initials;
 * full-size Initials with garbage, with and without tokens (RFC 9000
 * §17.2.2, §8.1); short headers (§17.3) with unknown connection ids.
 *
 * The server must handle each one (drop it, or answer with Retry or
 * Version Negotiation: RFC 9000 §5.2.2, §6, §8.1.2) without dying, keeping
 * state (every new connection needs a valid Retry token, RFC 9000 §8.1.3)
 * or memory, and still serve a real client afterwards.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { closed, echo, nextMessage } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import type { HostPort } from '../src/quic/address.js';
import type { ServerEndpoint } from '../src/quic/server-endpoint.js';
import { devCert } from './h3-transport.js';

const TARGET = 100_000;
/**
 * Datagrams per turn of the event loop. Node reads up to 32 datagrams per
 * turn and the socket buffer (212 KiB by default) holds about a hundred
 * full-size ones: the next batch waits until the server has read this one.
 */
const BATCH = 64;
/** The flood stops here whatever happened, so that the whole test stays under a minute. */
const FLOOD_LIMIT = 40_000;
const MiB = 1024 * 1024;

/** A full collection: the flag lets this process have `gc` even when node was started without --expose-gc. */
setFlagsFromString('--expose-gc');
const gc = ((globalThis as { gc?: () => void }).gc ?? runInNewContext('gc')) as () => void;

const int = (below: number) => Math.floor(Math.random() * below);
const chance = (p: number) => Math.random() < p;

/**
 * Random bytes cut from one large block: one allocation per MiB rather than
 * per datagram, so that the memory measured is the server's more than the
 * attacker's. Views only: a block is never written after it was handed out.
 */
let block = randomBytes(0);
let blockAt = 0;
function random(length: number): Buffer {
  if (blockAt + length > block.length) {
    block = randomBytes(MiB);
    blockAt = 0;
  }
  blockAt += length;
  return block.subarray(blockAt - length, blockAt);
}

/** Versions: 1, 0 (Version Negotiation), version 2 and draft 29 (not spoken here), a reserved one (RFC 9000 §15), any. */
function version(): number {
  switch (int(6)) {
    case 0:
      return 1;
    case 1:
      return 0;
    case 2:
      return 0x6b3343cf;
    case 3:
      return 0xff00001d;
    case 4:
      return (0x0a0a0a0a | (int(16) * 0x10101010)) >>> 0;
    default:
      return random(4).readUInt32BE(0);
  }
}

/** A connection id field whose length byte says `length` but which may carry fewer bytes. */
function connectionId(length: number): Buffer {
  const present = chance(0.8) ? length : int(length + 1);
  return Buffer.concat([Buffer.from([length]), random(present)]);
}

/** A long header of any type (RFC 9000 §17.2), any version, id lengths 0–255, random payload; at most 1500 bytes. */
function longHeader(): Buffer {
  const type = int(4);
  const first = 0x80 | (chance(0.9) ? 0x40 : 0) | (type << 4) | int(16);
  const head = Buffer.alloc(5);
  head[0] = first;
  head.writeUInt32BE(version(), 1);
  // Two thirds of them full-size, the size a server answers (RFC 9000 §14.1).
  const payload = random(chance(0.66) ? 1200 + int(300) : int(1200));
  return Buffer.concat([head, connectionId(int(256)), connectionId(int(256)), payload]).subarray(0, 1500);
}

/** A varint (RFC 9000 §16) of two bytes, or one when it fits. */
function varint(value: number): Buffer {
  return value < 64 ? Buffer.from([value]) : Buffer.from([0x40 | (value >> 8), value & 0xff]);
}

/** A version 1 Initial (RFC 9000 §17.2.2): header fields that parse, then `payload` bytes of garbage as its protected payload. */
function initial(token: Buffer, payload: number): Buffer {
  const head = Buffer.from([0xc0 | int(4), 0, 0, 0, 1]);
  return Buffer.concat([head, wholeId(8 + int(13)), wholeId(int(21)), varint(token.length), token, varint(payload), random(payload)]);
}

/** A connection id field with all its bytes. */
function wholeId(length: number): Buffer {
  return Buffer.concat([Buffer.from([length]), random(length)]);
}

/** One hostile datagram of a random kind. */
function hostile(): Buffer {
  const kind = int(100);
  if (kind < 20) return random(1 + int(1500));
  if (kind < 55) return longHeader();
  if (kind < 70) {
    // A version 1 Initial cut short somewhere: header fields and a Length that promise more than arrives.
    const whole = initial(Buffer.alloc(0), 1100 + int(100));
    return whole.subarray(0, 1 + int(whole.length - 1));
  }
  if (kind < 85) {
    // Full size, garbage payload; an empty token asks for a Retry, a random one is not ours and is dropped (RFC 9000 §8.1.3).
    const token = chance(0.5) ? Buffer.alloc(0) : random(1 + int(100));
    return initial(token, 1200 + int(200));
  }
  // A short header (RFC 9000 §17.3): fixed bit, 16 bytes of a connection id no one has, payload.
  return Buffer.concat([Buffer.from([0x40 | int(64)]), random(16), random(int(1400))]);
}

t.test(`${TARGET} hostile datagrams: the server drops or answers each, keeps no connection, no memory, and still serves`, { timeout: 60_000 }, async (t) => {
  const server = new WebSocketServer({ handler: echo });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  t.teardown(() => server.close());
  // Private, but its counter of dropped datagrams is what shows the server's work.
  const endpoint = (server as unknown as { endpoint: ServerEndpoint }).endpoint;
  // Counts what the server read and what it sent back, without changing either (receive and send are the endpoint's own).
  let processed = 0;
  let answered = 0;
  const receive = endpoint.receive.bind(endpoint);
  endpoint.receive = (datagram: Buffer, from: HostPort) => {
    processed++;
    receive(datagram, from);
  };
  const internals = endpoint as unknown as { send(datagram: Buffer, to: HostPort): void };
  const send = internals.send.bind(endpoint);
  internals.send = (datagram, to) => {
    answered++;
    send(datagram, to);
  };

  const attacker = createSocket('udp4');
  attacker.bind(0, '127.0.0.1');
  await once(attacker, 'listening');
  t.teardown(() => attacker.close());
  const answers = { versionNegotiation: 0, retry: 0, other: 0 };
  attacker.on('message', (message) => {
    const kind = message.readUInt32BE(1) === 0 ? 'versionNegotiation' : (message[0]! & 0xf0) === 0xf0 ? 'retry' : 'other';
    answers[kind]++;
  });

  gc();
  const before = process.memoryUsage();
  const started = Date.now();
  let sent = 0;
  while (processed < TARGET && Date.now() - started < FLOOD_LIMIT) {
    for (let i = 0; i < BATCH; i++) attacker.send(hostile(), port, '127.0.0.1');
    sent += BATCH;
    // Wait for the server to read the batch; what the kernel dropped never comes, so a few turns at most.
    for (let turn = 0; turn < 20 && processed < sent; turn++) await new Promise((resolve) => setImmediate(resolve));
  }
  const seconds = (Date.now() - started) / 1000;
  // The last answers on their way.
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.ok(processed >= TARGET, `the server read ${processed} of ${sent} sent in ${seconds.toFixed(1)} s`);
  t.equal(endpoint.dropped + answered, processed, `each was dropped (${endpoint.dropped}) or answered (${answered}), none kept`);
  t.ok(answers.retry > 0 && answers.versionNegotiation > 0, `answers that reached us: ${JSON.stringify(answers)}`);
  t.equal(answers.other, 0, 'no answer but Retry and Version Negotiation: no handshake started');
  t.equal(endpoint.connectionCount, 0, 'no QUIC connection at the endpoint');
  t.equal(server.sessionCount, 0, 'no HTTP/3 session');

  gc();
  const after = process.memoryUsage();
  const growth = { rss: (after.rss - before.rss) / MiB, heapUsed: (after.heapUsed - before.heapUsed) / MiB };
  t.ok(growth.rss < 100, `rss grew ${growth.rss.toFixed(1)} MiB`);
  t.ok(growth.heapUsed < 100, `heapUsed grew ${growth.heapUsed.toFixed(1)} MiB`);

  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const ws = await connect(`wss://127.0.0.1:${port}/after-the-flood`, { pool, tls: { ca: devCert.cert } });
  const reply = nextMessage(ws);
  ws.send('still serving');
  t.equal((await reply).data.toString(), 'still serving', 'a WebSocket over HTTP/3 opens and echoes');
  t.equal(server.sessionCount, 1, 'its QUIC connection is the only one the server holds');
  ws.close(1000);
  t.equal((await closed(ws)).code, 1000);
});
