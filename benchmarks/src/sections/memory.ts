/**
 * Section 4: memory per idle connection. Each server child is measured
 * (after full garbage collections) before and after N idle connections;
 * the difference per connection, RSS and V8 heap. RSS after a collection
 * moves by a KB per connection between runs of the same server (what
 * malloc and V8 keep of the connection storm's garbage), so each server is
 * measured in several fresh children and the median run is reported, with
 * every run's figure beside it.
 */
import type { RunConfig } from '../lib/config.js';
import { count, fixed, ratio, sleep } from '../lib/format.js';
import { step } from '../lib/progress.js';
import { RawConnections } from '../lib/raw-upgrades.js';
import type { SectionResult } from '../lib/report-types.js';
import { ServerChild } from '../lib/server-child.js';
import type { ServerKind } from '../servers/protocol.js';

interface Figures {
  connections: number;
  rssPerConnection: number;
  rawRssPerConnection: number;
  youngGrowthMB: number;
  heapPerConnection: number;
  externalPerConnection: number;
}

async function settle(server: ServerChild, n: number): Promise<void> {
  let stats = await server.stats();
  for (let i = 0; i < 100 && stats.connections < n; i++) {
    await sleep(50);
    stats = await server.stats();
  }
  await sleep(200);
}

/**
 * From no connection to N. V8's young generation grows under the handshakes'
 * garbage (to tens of MB, once, whatever N): that growth is taken out of the
 * RSS figure, and shown on its own.
 */
async function measureOnce(kind: ServerKind, n: number): Promise<Figures> {
  const server = await ServerChild.start(kind, 'idle');
  const clients = new RawConnections();
  try {
    const before = await server.stats(true);
    await clients.open(server.port, n, true, (opened) => step(`${kind}: ${count(opened)} connections`));
    await settle(server, n);
    const after = await server.stats(true);
    const youngGrowth = after.newSpace - before.newSpace;
    return {
      connections: after.connections,
      rssPerConnection: (after.rss - before.rss - youngGrowth) / n,
      rawRssPerConnection: (after.rss - before.rss) / n,
      youngGrowthMB: youngGrowth / 1e6,
      heapPerConnection: (after.heapUsed - before.heapUsed) / n,
      externalPerConnection: (after.external - before.external) / n,
    };
  } finally {
    clients.close();
    await server.stop();
  }
}

/** The run with the median RSS per connection, and every run's figure. */
async function measure(kind: ServerKind, n: number, runs: number): Promise<Figures & { runs: number[] }> {
  const all: Figures[] = [];
  for (let i = 0; i < runs; i++) all.push(await measureOnce(kind, n));
  const byRss = [...all].sort((a, b) => a.rssPerConnection - b.rssPerConnection);
  return { ...byRss[(runs - 1) >> 1]!, runs: all.map((f) => f.rssPerConnection) };
}

export async function memorySection(config: RunConfig): Promise<SectionResult> {
  const n = config.memoryConnections;
  const runs = config.quick ? 1 : 3;
  const figures = new Map<ServerKind, Figures & { runs: number[] }>();
  for (const kind of ['wstack-h1', 'ws', 'raw-net'] as ServerKind[]) figures.set(kind, await measure(kind, n, runs));
  const ours = figures.get('wstack-h1')!;
  const theirs = figures.get('ws')!;
  const floor = figures.get('raw-net')!;
  const kb = (bytes: number) => fixed(bytes / 1000, 2);
  const rows = [...figures].map(([kind, f]) => [kind, count(f.connections), kb(f.rssPerConnection), f.runs.map(kb).join(', '), kb(f.rawRssPerConnection), fixed(f.youngGrowthMB, 1), kb(f.heapPerConnection), kb(f.externalPerConnection), ratio(f.rssPerConnection / floor.rssPerConnection)]);
  const which = runs === 1 ? 'one run per server' : `the median of ${runs} runs per server (each in a fresh process), by RSS`;
  return {
    title: '4. Memory per idle connection',
    tables: [{ caption: `${count(n)} idle connections, each server measured after full GCs before and after; RSS per connection leaves out the growth of V8's young generation (a one-off, shown apart); ${which}; KB = 1000 bytes`, head: ['server', 'connections held', 'RSS KB/conn', 'RSS KB/conn, each run', 'RSS KB/conn with young-generation growth', 'young generation growth MB', 'heap KB/conn', 'external KB/conn', 'RSS vs raw net'], rows }],
    notes: ['Clients are plain sockets that send the same upgrade request to every server (the raw `net` server answers it with a bare 101 status line) and stay idle.'],
    targets: [
      { goal: 'idle memory ≤ 4.5 KB per connection (RSS)', measured: `${kb(ours.rssPerConnection)} KB (ws ${kb(theirs.rssPerConnection)} KB, raw net ${kb(floor.rssPerConnection)} KB); ${kb(ours.rawRssPerConnection)} KB counting V8's one-off young-generation growth`, met: ours.rssPerConnection <= 4500 },
    ],
    chart: { title: 'Memory: RSS per idle connection ÷ raw net server (lower is better)', bars: rows.map((r, i) => ({ label: r[0]!, value: [...figures.values()][i]!.rssPerConnection / floor.rssPerConnection })), higherIsBetter: false },
  };
}
