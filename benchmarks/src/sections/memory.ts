/**
 * Section 4: memory per idle connection. Each server child is measured
 * (after full garbage collections) before and after N idle connections;
 * the difference per connection, RSS and V8 heap.
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
async function measure(kind: ServerKind, n: number): Promise<Figures> {
  const server = await ServerChild.start(kind, 'idle');
  const clients = new RawConnections();
  try {
    const before = await server.stats(true);
    await clients.open(server.port, n, kind !== 'raw-net', (opened) => step(`${kind}: ${count(opened)} connections`));
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

export async function memorySection(config: RunConfig): Promise<SectionResult> {
  const n = config.memoryConnections;
  const figures = new Map<ServerKind, Figures>();
  for (const kind of ['wstack-h1', 'ws', 'raw-net'] as ServerKind[]) figures.set(kind, await measure(kind, n));
  const ours = figures.get('wstack-h1')!;
  const theirs = figures.get('ws')!;
  const floor = figures.get('raw-net')!;
  const kb = (bytes: number) => fixed(bytes / 1000, 2);
  const rows = [...figures].map(([kind, f]) => [kind, count(f.connections), kb(f.rssPerConnection), kb(f.rawRssPerConnection), fixed(f.youngGrowthMB, 1), kb(f.heapPerConnection), kb(f.externalPerConnection), ratio(f.rssPerConnection / floor.rssPerConnection)]);
  return {
    title: '4. Memory per idle connection',
    tables: [{ caption: `${count(n)} idle connections, each server measured after full GCs before and after; RSS per connection leaves out the growth of V8's young generation (a one-off, shown apart); KB = 1000 bytes`, head: ['server', 'connections held', 'RSS KB/conn', 'RSS KB/conn with young-generation growth', 'young generation growth MB', 'heap KB/conn', 'external KB/conn', 'RSS vs raw net'], rows }],
    notes: ['Clients are plain sockets that send the same upgrade request to every server (the raw `net` server ignores it) and stay idle.'],
    targets: [
      { goal: 'idle memory ≤ 4.5 KB per connection (RSS)', measured: `${kb(ours.rssPerConnection)} KB (ws ${kb(theirs.rssPerConnection)} KB, raw net ${kb(floor.rssPerConnection)} KB); ${kb(ours.rawRssPerConnection)} KB counting V8's one-off young-generation growth`, met: ours.rssPerConnection <= 4500 },
    ],
    chart: { title: 'Memory: RSS per idle connection ÷ raw net server (lower is better)', bars: rows.map((r, i) => ({ label: r[0]!, value: [...figures.values()][i]!.rssPerConnection / floor.rssPerConnection })), higherIsBetter: false },
  };
}
