/**
 * `pnpm soak`: wstack's server under churn and abuse for a bounded time,
 * on loopback. A server child (server.ts) serves HTTP/1.1, HTTP/2 and HTTP/3;
 * a load child (load.ts) keeps WEBSOCKETS WebSockets busy over the three
 * transports; victim children (victim.ts) are killed every 30 s without a
 * word; slowloris clients trickle request heads. That is a round; after
 * each, the server's heap, RSS and handles are measured and compared with
 * the baseline before the load, and RSS with the first round's.
 * Exit 1 when a well-behaved message went missing, the server crashed, or
 * memory or handles stayed far from the baseline.
 *
 *   node benchmarks/dist/soak/soak.js [--rounds=2] [--seconds=150] [--websockets=10000] [--shares=h1:50,h2:30,h3:20] [--glibc-default | --jemalloc]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LoadCounts, Memory, ServerCommand, ServerReply } from './protocol.js';
import { Slowloris } from './slowloris.js';

const option = (name: string, fallback: number) => Number(process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SECONDS = option('seconds', 150);
const ROUNDS = option('rounds', 2);
const SHARES = process.argv.find((arg) => arg.startsWith('--shares='))?.split('=')[1] ?? 'h1:50,h2:30,h3:20';
const WEBSOCKETS = option('websockets', 10_000);
const VICTIMS_PER_TRANSPORT = 100;
const SLOWLORIS = 100;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const MB = (bytes: number) => (bytes / 1e6).toFixed(1);
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

// glibc raises its mmap threshold after large frees (up to 32 MiB) and then keeps freed memory in its heaps: RSS stays
// at its peak though nothing holds it. Fixed at 128 KiB, large buffers are mapped and unmapped, and RSS shows what is
// held. `--glibc-default` leaves glibc as it is; `--jemalloc` runs the server on jemalloc instead (LD_PRELOAD), which
// returns freed pages to the system within a second (docs/reliability.md has the runs).
const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
const allocator = process.argv.includes('--jemalloc') ? 'jemalloc' : process.argv.includes('--glibc-default') ? 'glibc' : 'glibc-tuned';
const env =
  allocator === 'jemalloc'
    ? { ...process.env, LD_PRELOAD: JEMALLOC, MALLOC_CONF: 'background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0' }
    : allocator === 'glibc'
      ? process.env
      : { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072', MALLOC_ARENA_MAX: '2' };
if (allocator === 'jemalloc' && !existsSync(JEMALLOC)) throw new Error(`--jemalloc: ${JEMALLOC} is missing (Debian: apt-get install libjemalloc2)`);
const server = fork(here('./server.js'), [], { execArgv: ['--expose-gc'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
let serverExit: number | null | undefined;
server.once('exit', (code) => (serverExit = code));

function ask<T extends ServerReply['type']>(command: ServerCommand, type: T): Promise<Extract<ServerReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} from the server within 60 s`)), 60_000);
    const onMessage = (reply: ServerReply) => {
      if (reply.type !== type) return;
      clearTimeout(timer);
      server.off('message', onMessage);
      resolve(reply as Extract<ServerReply, { type: T }>);
    };
    server.on('message', onMessage);
    server.send(command);
  });
}

/** UDP datagrams the kernel dropped because a socket's receive buffer was full (the whole machine; /proc/net/snmp): lost QUIC packets. */
function udpDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((line) => line.startsWith('Udp:'));
  const [names, values] = lines.map((line) => line.split(/\s+/));
  return Number(values?.[names?.indexOf('RcvbufErrors') ?? -1] ?? 0);
}

const measure = async (): Promise<Memory> => (await ask({ type: 'measure' }, 'memory')).memory;
const memoryText = (m: Memory) => `heap ${MB(m.heapUsed)} MB (of ${MB(m.heapTotal)} MB), RSS ${MB(m.rss)} MB, external ${MB(m.external)} MB, handles ${m.handles}, WebSockets ${m.websockets}, event loop late ≤ ${m.loopDelayMax.toFixed(0)} ms`;

const { port } = await new Promise<{ port: number }>((resolve, reject) => {
  server.once('message', (reply: ServerReply) => (reply.type === 'ready' ? resolve(reply) : reject(new Error(reply.type))));
  server.once('exit', (code) => reject(new Error(`the server exited with ${code} before it was ready`)));
});
const load1 = loadavg()[0]!;
await sleep(2000);
const before = await measure();
log(`server on port ${port}; baseline: ${memoryText(before)}; load average ${load1.toFixed(2)}`);

interface Round {
  counts: LoadCounts;
  loadCode: number | null;
  victimsKilled: number;
  slowlorisCut: number;
  udpDropped: number;
  after: Memory;
}

/** One round: the load, the victims and slowloris for SECONDS; then the server's WebSockets are left to end and it is measured. */
async function round(): Promise<Round> {
  const udpBefore = udpDrops();
  const roundEnd = Date.now() + SECONDS * 1000;
  const slowloris = new Slowloris(port, SLOWLORIS);
  const load = fork(here('./load.js'), [String(port), String(SECONDS), String(WEBSOCKETS), SHARES], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let counts: LoadCounts | undefined;
  load.on('message', (message: { type: string; counts: LoadCounts }) => (counts = message.counts));
  const loadDone = once(load, 'exit');
  let victim: ChildProcess | undefined;
  let victimsKilled = 0;
  const victims = setInterval(() => {
    if (victim) {
      victim.kill('SIGKILL');
      victimsKilled++;
    }
    victim = fork(here('./victim.js'), [String(port), String(VICTIMS_PER_TRANSPORT)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  }, 30_000);
  const progress = setInterval(async () => {
    if (serverExit !== undefined) return;
    const now = await measure().catch(() => undefined);
    if (now === undefined) return;
    if (now.rss > peak.rss) peak = now;
    const overrun = Date.now() > roundEnd ? `; still busy: ${Object.entries(counts?.busy ?? {}).filter(([, n]) => n > 0).map(([key, n]) => `${key} ${n}`).join(', ')}` : '';
    log(`${memoryText(now)}; opened ${counts?.opened ?? 0} (failed ${counts?.openFailed ?? 0}), UDP drops ${udpDrops() - udpBefore}, echoes ${counts?.echoDelivered ?? 0}/${counts?.echoSent ?? 0}, slowloris cut ${slowloris.cut}${overrun}`);
  }, 30_000);
  const [loadCode] = (await loadDone) as [number | null];
  clearInterval(victims);
  clearInterval(progress);
  if (victim) {
    victim.kill('SIGKILL');
    victimsKilled++;
  }
  slowloris.stop();
  log(`load done (exit ${loadCode}); waiting for the server's WebSockets to end (QUIC idle timeout for the killed victims)`);
  let after = await measure();
  for (let waited = 0; after.websockets > 0 && waited < 90_000; waited += 2000) {
    await sleep(2000);
    after = await measure();
  }
  await sleep(2000);
  after = await measure();
  log(`after the round: ${memoryText(after)}`);
  return { counts: counts!, loadCode, victimsKilled, slowlorisCut: slowloris.cut, udpDropped: udpDrops() - udpBefore, after };
}

let peak = before;
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
const shutdown = await ask({ type: 'close' }, 'closed');
const [exitCode] = serverExit !== undefined ? [serverExit] : await once(server, 'exit');
const sum = (pick: (counts: LoadCounts) => number) => rounds.reduce((total, r) => total + pick(r.counts), 0);
const closeCodes: Record<string, number> = {};
const openFailures: Record<string, number> = {};
const echoLostBy: Record<string, number> = {};
for (const r of rounds) {
  for (const [how, n] of Object.entries(r.counts.echoLostBy)) echoLostBy[how] = (echoLostBy[how] ?? 0) + n;
  for (const [code, n] of Object.entries(r.counts.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
  for (const [why, n] of Object.entries(r.counts.openFailures)) openFailures[why] = (openFailures[why] ?? 0) + n;
}
const c: LoadCounts = {
  opened: sum((x) => x.opened),
  openFailed: sum((x) => x.openFailed),
  echoSent: sum((x) => x.echoSent),
  echoDelivered: sum((x) => x.echoDelivered),
  echoCorrupt: sum((x) => x.echoCorrupt),
  echoLost: sum((x) => x.echoLost),
  echoLostBy,
  stalled: sum((x) => x.stalled),
  resets: sum((x) => x.resets),
  oversized: sum((x) => x.oversized),
  oversizedRefused: sum((x) => x.oversizedRefused),
  goaways: sum((x) => x.goaways),
  closedBeforeUse: sum((x) => x.closedBeforeUse),
  busy: {},
  closeCodes,
  openFailures,
  loopDelayMax: Math.max(...rounds.map((r) => r.counts.loopDelayMax)),
};
const first = rounds[0]!.after;
const after = rounds.at(-1)!.after;
const victimsKilled = rounds.reduce((total, r) => total + r.victimsKilled, 0);
const slowlorisCut = rounds.reduce((total, r) => total + r.slowlorisCut, 0);
const checks: [string, boolean][] = [
  ['every load ran to its end', rounds.every((r) => r.loadCode === 0)],
  ['the server ran to the end and exited 0', exitCode === 0],
  ['every well-behaved message came back intact', c.echoDelivered === c.echoSent && c.echoCorrupt === 0 && c.echoLost === 0],
  // Opens on the stalled readers' sessions may wait for flow-control credit, and those on doomed sessions be cancelled.
  ['every other WebSocket opened', Object.keys(openFailures).every((why) => /\((stall|doomed)\)/.test(why))],
  ['every oversized message was refused with 1009', c.oversizedRefused === c.oversized],
  ['no WebSocket left open on the server', after.websockets === 0],
  ['heap back near the baseline (at most +32 MB)', after.heapUsed - before.heapUsed <= 32e6],
  ['handles back to the baseline (at most +5)', after.handles - before.handles <= 5],
  // What glibc keeps of freed memory is not returned, whatever its settings; a leak would grow from round to round.
  ...(ROUNDS > 1 ? ([['RSS does not grow from round to round (last ≤ first × 1.1 + 64 MB)', after.rss <= first.rss * 1.1 + 64e6]] as [string, boolean][]) : []),
];
const rows = [
  `| date | ${new Date().toISOString()} |`,
  `| load average at start (1 min) | ${load1.toFixed(2)} |`,
  `| the server's allocator | ${{ jemalloc: 'jemalloc (LD_PRELOAD, dirty pages returned after 1 s)', glibc: 'glibc as it is', 'glibc-tuned': 'glibc, MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_ARENA_MAX=2' }[allocator]} |`,
  `| rounds × duration, WebSockets kept busy | ${ROUNDS} × ${SECONDS} s, ${WEBSOCKETS} (${SHARES.replace(/:/g, ' ').replace(/,/g, ' %, ')} %) |`,
  `| WebSockets opened (load), failed to open, closed before their first message | ${c.opened}, ${c.openFailed}, ${c.closedBeforeUse} |`,
  `| echo messages sent, delivered intact, corrupt, lost | ${c.echoSent}, ${c.echoDelivered}, ${c.echoCorrupt}, ${c.echoLost}${c.echoLost > 0 ? ` (${Object.entries(echoLostBy).map(([how, n]) => `${how}: ${n}`).join('; ')})` : ''} |`,
  `| stalled readers, resets mid-frame, oversized (refused 1009) | ${c.stalled}, ${c.resets}, ${c.oversized} (${c.oversizedRefused}) |`,
  `| GOAWAYs (sessions closed under WebSockets), victims killed | ${c.goaways}, ${victimsKilled} |`,
  `| slowloris heads cut by the server | ${slowlorisCut} |`,
  `| the load's event loop, latest | ${c.loopDelayMax.toFixed(0)} ms |`,
  `| UDP datagrams dropped by the kernel for a full receive buffer (machine) | ${rounds.map((r) => r.udpDropped).join(', ')} |`,
  `| why opening failed | ${Object.entries(openFailures).sort(([, a], [, b]) => b - a).map(([why, n]) => `${why}: ${n}`).join('; ') || 'never'} |`,
  `| close codes seen by the load | ${Object.entries(closeCodes).map(([code, n]) => `${code}: ${n}`).join(', ')} |`,
  `| server closes (transport, code, error) | ${Object.entries(shutdown.closes).sort(([, a], [, b]) => b - a).map(([key, n]) => `${key}: ${n}`).join('; ')} |`,
  `| server before | ${memoryText(before)} |`,
  `| server at peak RSS | ${memoryText(peak)} |`,
  ...rounds.map((r, i) => `| server after round ${i + 1} | ${memoryText(r.after)} |`),
  `| checks | ${checks.map(([name, ok]) => `${ok ? '✅' : '❌'} ${name}`).join('; ')} |`,
];
const report = `| soak run | |\n| --- | --- |\n${rows.join('\n')}\n`;
mkdirSync(fileURLToPath(new URL('../../results/', import.meta.url)), { recursive: true });
writeFileSync(fileURLToPath(new URL('../../results/soak-latest.md', import.meta.url)), report);
process.stdout.write(`\n${report}`);
process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
