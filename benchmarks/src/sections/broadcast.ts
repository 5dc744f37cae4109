/**
 * Section 6: broadcast. One 16-byte message to every one of N connections,
 * several rounds: wstack frames it once per round (PreparedMessage), ws
 * sends it per connection, and a raw `net` server writes the frame's bytes
 * to each socket (the least a server can do with one write per delivery).
 * Deliveries per second are counted where they arrive: by the clients, once
 * every byte of every round is in.
 */
import type { RunConfig } from '../lib/config.js';
import { count, fixed, ratio, sleep } from '../lib/format.js';
import { step } from '../lib/progress.js';
import { RawConnections } from '../lib/raw-upgrades.js';
import type { SectionResult, Target } from '../lib/report-types.js';
import { ServerChild } from '../lib/server-child.js';
import type { ServerKind } from '../servers/protocol.js';

const SIZE = 16;
/** A server's frame of a 16-byte binary message: 2 bytes of header. */
const FRAME = SIZE + 2;

interface Figures {
  deliveriesPerSecond: number;
  serverCpuMicrosPerDelivery: number;
  serverFlushMs: number;
}

/** Both modes on one server and one set of clients: rounds back to back, then paced. */
async function measure(kind: ServerKind, n: number, rounds: number): Promise<[Figures, Figures]> {
  const server = await ServerChild.start(kind, 'idle');
  const clients = new RawConnections();
  try {
    await clients.open(server.port, n, true, (opened) => step(`${kind} ×${count(n)}: ${count(opened)} connected`));
    let stats = await server.stats();
    for (let i = 0; i < 100 && stats.connections < n; i++) {
      await sleep(50);
      stats = await server.stats();
    }
    const once = async (paced: boolean, times: number): Promise<Figures> => {
      step(`${kind} ×${count(n)}: ${times} rounds${paced ? ', paced' : ''}`);
      const base = clients.received;
      const started = performance.now();
      const done = await server.request({ cmd: 'broadcast', rounds: times, size: SIZE, paced }, 'broadcasted');
      const deadline = started + 60_000;
      while (clients.received - base < n * times * FRAME && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      const seconds = (performance.now() - started) / 1000;
      const delivered = (clients.received - base) / FRAME;
      return { deliveriesPerSecond: delivered / seconds, serverCpuMicrosPerDelivery: done.cpuMicros / (n * times), serverFlushMs: done.flushedMs };
    };
    // Warm-up rounds first, for the JIT.
    await once(false, 2);
    await once(true, 2);
    return [await once(false, rounds), await once(true, rounds)];
  } finally {
    clients.close();
    await server.stop();
  }
}

export async function broadcastSection(config: RunConfig): Promise<SectionResult> {
  const rows: string[][] = [];
  const targets: Target[] = [];
  const bars: { label: string; value: number }[] = [];
  const rounds = config.quick ? 5 : 20;
  for (const n of config.broadcastConnections) {
    const ours = await measure('wstack-h1', n, rounds);
    const theirs = await measure('ws', n, rounds);
    const raw = await measure('raw-net', n, rounds);
    for (const paced of [false, true]) {
      const mode = paced ? 'one round per event-loop turn' : 'rounds back to back';
      const i = paced ? 1 : 0;
      for (const [name, f] of [['wstack', ours[i]!], ['ws', theirs[i]!], ['raw net', raw[i]!]] as [string, Figures][]) {
        rows.push([count(n), mode, name, count(f.deliveriesPerSecond), fixed(f.serverCpuMicrosPerDelivery, 3), fixed(f.serverFlushMs, 1)]);
      }
      const r = ours[i]!.deliveriesPerSecond / theirs[i]!.deliveriesPerSecond;
      const cpu = theirs[i]!.serverCpuMicrosPerDelivery / ours[i]!.serverCpuMicrosPerDelivery;
      const floor = raw[i]!.deliveriesPerSecond / theirs[i]!.deliveriesPerSecond;
      targets.push({ goal: `broadcast to ${count(n)} ≥ 2× ws (deliveries/s), ${mode}`, measured: `${ratio(r)} deliveries/s; server CPU per delivery ws ÷ wstack ${ratio(cpu)}; raw net (one write per delivery, no WebSocket code) ÷ ws ${ratio(floor)}`, met: r >= 2 });
      bars.push({ label: `${count(n)} ${paced ? 'paced' : 'burst'}`, value: r });
    }
  }
  return {
    title: '6. Broadcast',
    tables: [{ caption: `A 16-byte binary message to every connection, ${rounds} rounds, back to back in one tick or one round per event-loop turn; deliveries counted by the clients; server CPU from its own process.cpuUsage() for the send loop until every socket drained; raw net writes the same frame bytes, made once, with one socket.write per delivery`, head: ['connections', 'mode', 'server', 'deliveries/s', 'server CPU µs/delivery', 'server send + flush ms'], rows }],
    notes: [
      'Clients are plain sockets that count bytes (the same for every server), in one process.',
      'A write on loopback costs far more here than the JavaScript that frames a message, so deliveries per second follow the number of write system calls. wstack coalesces the writes one connection gets in one tick into one (rounds back to back: one write per connection per burst); ws writes per message. Paced, one message per connection per tick, every server makes one write per delivery.',
    ],
    targets,
    chart: { title: 'Broadcast: wstack ÷ ws (higher is better)', bars, higherIsBetter: true },
  };
}
