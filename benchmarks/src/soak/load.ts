/**
 * The soak's load: slots that each open a WebSocket, play one part, and
 * open the next, until the deadline. Well-behaved echo most of the time
 * (every message counted and checked); some slots are stalled readers that
 * make the server's send buffer pass its cap, some reset their stream in
 * the middle of a frame, some send a message over the server's size limit,
 * and some ride sessions that are closed with GOAWAY under them.
 *
 *   node load.js PORT SECONDS WEBSOCKETS [h1:50,h2:30,h3:20]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { connect, SessionPool, type ClientOptions, type WebSocketConnection } from 'wstack';
import { SessionPool as QuicPool } from '@wstack/http3';
import { describeQuic } from './quic-debug.js';
import type { LoadCounts } from './protocol.js';

const [port, seconds, total] = process.argv.slice(2, 5).map(Number) as [number, number, number];
/** The share of the WebSockets per transport, e.g. "h1:50,h2:30,h3:20". */
const shares = Object.fromEntries((process.argv[5] ?? 'h1:50,h2:30,h3:20').split(',').map((pair) => pair.split(':')).map(([name, share]) => [name, Number(share)]));
const url = `wss://127.0.0.1:${port}/soak`;
const deadline = Date.now() + seconds * 1000;
const tls = { rejectUnauthorized: false };

export const counts: LoadCounts = {
  opened: 0,
  openFailed: 0,
  echoSent: 0,
  echoDelivered: 0,
  echoCorrupt: 0,
  echoLost: 0,
  echoLostBy: {},
  stalled: 0,
  resets: 0,
  oversized: 0,
  oversizedRefused: 0,
  goaways: 0,
  closedBeforeUse: 0,
  closeCodes: {},
  openFailures: {},
  loopDelayMax: 0,
  busy: {},
};

type Transport = 'h1' | 'h2' | 'h3';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const random = (low: number, high: number) => low + Math.floor(Math.random() * (high - low));
const closed = (connection: WebSocketConnection) =>
  new Promise<number>((resolve) => {
    if (connection.readyState === 3) return resolve(connection.closeDetails!.code);
    connection.once('close', ({ code }) => resolve(code));
  });

/** Sessions that carry WebSockets for the whole run (HTTP/2: 1,000 streams each, HTTP/3: 100). */
const h2Pools = Array.from({ length: 8 }, () => new SessionPool());
const h3Pools = Array.from({ length: 30 }, () => new QuicPool());
/**
 * Stalled readers get sessions of their own: a stream nobody reads holds its
 * window of the session's flow-control window (node:http2 gives the
 * connection window back as data is read, not as it arrives), so eight of
 * them (256 KiB each) starve the other streams of a 2 MiB HTTP/2 session.
 */
const stallH2 = new SessionPool();
const stallH3 = new QuicPool();
/** Sessions that are closed (GOAWAY) every 20 s under the WebSockets on them, and replaced. */
let doomedH2 = new SessionPool();
let doomedH3 = new QuicPool();

type Part = 'doomed' | 'stall' | 'other';

function options(transport: Transport, slot: number, part: Part): ClientOptions {
  if (transport === 'h2') return { transport, tls, pool: part === 'doomed' ? doomedH2 : part === 'stall' ? stallH2 : h2Pools[slot % h2Pools.length]! };
  if (transport === 'h3') return { transport, tls, http3Pool: part === 'doomed' ? doomedH3 : part === 'stall' ? stallH3 : h3Pools[slot % h3Pools.length]! };
  return { transport, tls };
}

async function open(transport: Transport, slot: number, part: Part): Promise<WebSocketConnection | undefined> {
  try {
    const connection = await connect(url, options(transport, slot, part));
    counts.opened++;
    connection.once('close', ({ code }) => (counts.closeCodes[code] = (counts.closeCodes[code] ?? 0) + 1));
    return connection;
  } catch (error) {
    counts.openFailed++;
    const why = `${transport} (${part}): ${(error as Error).message.replace(/\d+/g, 'N').slice(0, 100)}`;
    counts.openFailures[why] = (counts.openFailures[why] ?? 0) + 1;
    await sleep(random(200, 1000));
    return undefined;
  }
}

const ECHO_PATIENCE = 30_000;

/** SOAK_DEBUG: what the driver holds for a WebSocket over HTTP/3 (private fields, read for diagnosis only). */
function describeH3(connection: WebSocketConnection): string {
  const carrier = (connection as unknown as { carrier: Record<string, unknown> }).carrier;
  const stream = carrier.stream as Record<string, unknown>;
  const quic = (carrier.host as { quicConnection: Record<string, unknown> } | undefined)?.quicConnection;
  const native = quic?.native as { streamCapacity(id: number): number; isEstablished(): boolean; isClosed(): boolean; timeout(): number | null } | undefined;
  let capacity: unknown;
  try {
    capacity = native?.streamCapacity(stream.id as number);
  } catch (error) {
    capacity = (error as Error).message;
  }
  const sizes = quic ? ['streams', 'toPush', 'blocked', 'lingering', 'toRead'].map((name) => `${name} ${(quic[name] as { size: number }).size}`).join(', ') : 'no connection';
  return `buffered ${connection.bufferedAmount}, stream ${stream.id} queued ${stream.queued} paused ${stream.paused} readEnded ${stream.readEnded} writeEnded ${stream.writeEnded}, capacity ${capacity}, ${sizes}, peerResets ${quic?.peerResets}, timeout ${native?.timeout()}, closed ${native?.isClosed()}; ${quic ? describeQuic(quic) : ''}`;
}

function lost(how: string, connection: WebSocketConnection): void {
  if (process.env.SOAK_DEBUG && connection.transport === 'h3') process.stderr.write(`lost h3 echo (${how}): ${describeH3(connection)}\n`);
  const key = `${connection.transport}: ${how}`;
  counts.echoLostBy[key] = (counts.echoLostBy[key] ?? 0) + 1;
}

/** Well-behaved: messages of 16 B to 16 KiB, one at a time every 2–10 s for 20–60 s, each echo checked; then a clean close. */
async function echo(connection: WebSocketConnection): Promise<void> {
  const until = Math.min(deadline, Date.now() + random(20_000, 60_000));
  while (Date.now() < until && connection.readyState === 1) {
    const payload = Buffer.alloc(random(16, 16 * 1024), random(0, 256));
    const answer = new Promise<Buffer | undefined>((resolve) => {
      const onMessage = (data: Buffer) => done(data);
      const onClose = () => {
        lost(`closed ${connection.closeDetails?.code}`, connection);
        done(undefined);
      };
      // An echo that does not come back within 30 s is lost: counted, and the WebSocket given up.
      const timer = setTimeout(() => {
        lost('no echo within 30 s', connection);
        done(undefined);
        connection.terminate();
      }, ECHO_PATIENCE);
      const done = (data: Buffer | undefined) => {
        clearTimeout(timer);
        connection.off('message', onMessage);
        connection.off('close', onClose);
        resolve(data);
      };
      connection.on('message', onMessage);
      connection.on('close', onClose);
    });
    connection.send(payload);
    counts.echoSent++;
    const data = await answer;
    if (data === undefined) {
      counts.echoLost++;
      return;
    }
    if (data.equals(payload)) counts.echoDelivered++;
    else counts.echoCorrupt++;
    await sleep(random(2_000, 10_000));
  }
  if (connection.readyState === 1) connection.close(1000);
  await closed(connection);
}

/** Stalled readers at once, whatever the number of slots: each may hold the server's send buffer cap (16 MiB). */
const MAX_STALLED = 40;
let stalledNow = 0;

/** Reads nothing and asks the server for 20 MiB, which it sends without waiting: its send buffer passes the cap and it closes (1008). */
async function stall(connection: WebSocketConnection): Promise<void> {
  counts.stalled++;
  stalledNow++;
  try {
    connection.pause();
    connection.send('flood');
    // The server gives up within its close timeout; then the connection here ends (or ends by its own close timer).
    await Promise.race([closed(connection), sleep(30_000)]);
    connection.terminate();
    await closed(connection);
  } finally {
    stalledNow--;
  }
}

/** A large message, then an abort while it is on its way: the stream or socket is reset in the middle of a frame. */
async function reset(connection: WebSocketConnection): Promise<void> {
  counts.resets++;
  connection.send(Buffer.alloc(256 * 1024, 1));
  await sleep(random(0, 3));
  connection.terminate();
  await closed(connection);
}

/** A message just over the server's 1 MiB limit: refused with 1009 (RFC 6455 §7.4.1). */
async function oversize(connection: WebSocketConnection): Promise<void> {
  counts.oversized++;
  connection.send(Buffer.alloc(1024 * 1024 + 1, 2));
  const code = await Promise.race([closed(connection), sleep(30_000).then(() => 0)]);
  if (code === 1009) counts.oversizedRefused++;
  connection.terminate();
  await closed(connection);
}

/** Echo on a session that is closed with GOAWAY under it: the WebSocket ends with 1001 or finishes. */
async function onDoomedSession(connection: WebSocketConnection): Promise<void> {
  connection.on('message', () => undefined);
  while (connection.readyState === 1 && Date.now() < deadline) {
    connection.send('still here');
    await sleep(2_000);
  }
  if (connection.readyState === 1) connection.close(1000);
  await closed(connection);
}

async function slot(index: number, transport: Transport): Promise<void> {
  while (Date.now() < deadline) {
    const roll = Math.random();
    const doomed = transport !== 'h1' && roll >= 0.95;
    const stalling = !doomed && roll >= 0.85 && roll < 0.88 && stalledNow < MAX_STALLED;
    const connection = await open(transport, index, doomed ? 'doomed' : stalling ? 'stall' : 'other');
    if (connection === undefined) continue;
    // Closed between the handshake and its first use: counted, and nothing is sent on it.
    await new Promise((resolve) => setImmediate(resolve));
    if (connection.readyState !== 1) {
      counts.closedBeforeUse++;
      continue;
    }
    const [name, play] = doomed ? ['doomed', onDoomedSession] : stalling ? ['stall', stall] : roll < 0.88 ? ['echo', echo] : roll < 0.92 ? ['reset', reset] : ['oversize', oversize];
    const key = `${transport} ${name}`;
    counts.busy[key] = (counts.busy[key] ?? 0) + 1;
    await play(connection);
    counts.busy[key]!--;
  }
}

const goaways = setInterval(() => {
  counts.goaways++;
  const [h2, h3] = [doomedH2, doomedH3];
  doomedH2 = new SessionPool();
  doomedH3 = new QuicPool();
  h2.close();
  h3.close();
}, 20_000);

const lag = monitorEventLoopDelay({ resolution: 20 });
lag.enable();
const report = setInterval(() => {
  counts.loopDelayMax = Math.max(counts.loopDelayMax, lag.max / 1e6);
  process.send!({ type: 'progress', counts });
}, 10_000);
const split = (['h1', 'h2', 'h3'] as const).map((transport): [Transport, number] => [transport, Math.round((total * (shares[transport] ?? 0)) / 100)]);
const slots: Promise<void>[] = [];
for (const [transport, count] of split) {
  for (let i = 0; i < count; i++) {
    slots.push(slot(i, transport));
    // Opened over the first 20 s rather than all at once.
    if (i % 50 === 49) await sleep(100);
  }
}
await Promise.all(slots);
clearInterval(goaways);
clearInterval(report);
for (const pool of [...h2Pools, doomedH2, stallH2]) pool.close();
for (const pool of [...h3Pools, doomedH3, stallH3]) pool.close();
counts.loopDelayMax = Math.max(counts.loopDelayMax, lag.max / 1e6);
process.send!({ type: 'done', counts });
process.disconnect();
