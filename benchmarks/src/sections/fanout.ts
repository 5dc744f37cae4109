/**
 * Section 8: fan-out beyond one process. The same number of WebSockets, all
 * subscribed to one topic, on one server process with local Topics, and
 * spread over four processes sharing the topic through Redis
 * (@wstack/redis); one process publishes. Deliveries per second for a burst,
 * publish-to-delivery latency at 10 publishes a second, and the CPU time of
 * the servers and of Redis itself. The one-process setup runs twice: the
 * second run is the control, whose ratio to the first is the noise.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RedisServer } from '@wstack/testkit';
import type { RunConfig } from '../lib/config.js';
import { count, fixed, quantile, ratio, sleep } from '../lib/format.js';
import { FrameProbe } from '../lib/frame-probe.js';
import { step } from '../lib/progress.js';
import { RawConnections } from '../lib/raw-upgrades.js';
import type { SectionResult } from '../lib/report-types.js';

const entry = fileURLToPath(new URL('../servers/serve-topics.js', import.meta.url));
const SIZE = 16;
const FRAME = SIZE + 2;
/** Connections that time each message, out of the total. */
const PROBES = 200;

interface Setup {
  name: string;
  processes: number;
  redis: boolean;
}

const ONE: Setup = { name: '1 process, local Topics', processes: 1, redis: false };
const FOUR: Setup = { name: '4 processes, Redis', processes: 4, redis: true };
const CONTROL: Setup = { name: '1 process again (control)', processes: 1, redis: false };

interface Figures {
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  serverCpu: number;
  redisCpuBurst: number;
  redisCpuPaced: number;
}

/** Redis's own CPU seconds (user + system), from INFO cpu: finer than /proc's 10 ms ticks. */
async function redisCpuSeconds(redis: RedisServer | undefined): Promise<number> {
  if (redis === undefined) return 0;
  const socket = connect({ host: '127.0.0.1', port: redis.port });
  socket.write('INFO cpu\r\n');
  let text = '';
  for await (const chunk of socket) {
    text += String(chunk);
    if (text.includes('used_cpu_user_children')) break;
  }
  socket.destroy();
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(text)?.[1] ?? NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

class Node {
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(redisUrl: string | undefined): Promise<Node> {
    const child = fork(entry, redisUrl ? ['redis', redisUrl] : ['local'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const [ready] = (await once(child, 'message')) as [{ port: number }];
    return new Node(child, ready.port);
  }

  async ask<T>(command: object, type: string): Promise<T> {
    this.child.send(command);
    for (;;) {
      const [reply] = (await once(this.child, 'message')) as [{ type: string }];
      if (reply.type === type) return reply as T;
    }
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.send({ cmd: 'stop' });
    await Promise.race([exited, sleep(10_000)]);
    this.child.kill('SIGKILL');
  }
}

async function measure(setup: Setup, n: number, rounds: number, latencySeconds: number): Promise<Figures> {
  const redis = setup.redis ? await RedisServer.start() : undefined;
  const nodes = await Promise.all(Array.from({ length: setup.processes }, () => Node.start(redis?.url)));
  const clients = new RawConnections();
  const probe = new FrameProbe();
  try {
    const share = Math.floor(n / setup.processes);
    const probes = Math.floor(PROBES / setup.processes);
    // The timing connections spread among the others: a server sends to its subscribers in the order they came.
    const SLICES = 10;
    for (const node of nodes) {
      for (let slice = 0; slice < SLICES; slice++) {
        await clients.open(node.port, Math.floor((share - probes) / SLICES), true, (opened) => step(`${setup.name} ×${count(n)}: ${count(opened)} connected`));
        await probe.open(node.port, Math.floor(probes / SLICES));
      }
    }
    const opened = clients.sockets.length + probe.sockets.length;
    for (const node of nodes) {
      for (let i = 0; i < 200; i++) {
        const { connections } = await node.ask<{ connections: number }>({ cmd: 'count' }, 'count');
        if (connections >= Math.floor(opened / setup.processes)) break;
        await sleep(50);
      }
    }
    const raw = clients.sockets.length;
    const burst = async (times: number) => {
      const base = clients.received;
      const started = performance.now();
      const published = nodes[0]!.ask<{ failed: number }>({ cmd: 'publish', count: times, size: SIZE, intervalMs: 0 }, 'published');
      const deadline = started + 60_000;
      while (clients.received - base < raw * times * FRAME && performance.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
      const seconds = (performance.now() - started) / 1000;
      if ((await published).failed > 0) throw new Error(`${setup.name}: publishes failed`);
      return (clients.received - base) / FRAME / seconds;
    };
    step(`${setup.name} ×${count(n)}: warm-up`);
    await burst(3);
    step(`${setup.name} ×${count(n)}: ${rounds} messages back to back`);
    const cpuBefore = nodes.reduce((sum, node) => sum + cpuSeconds(node.child.pid), 0);
    const redisBefore = await redisCpuSeconds(redis);
    const deliveriesPerSecond = await burst(rounds);
    const serverCpu = nodes.reduce((sum, node) => sum + cpuSeconds(node.child.pid), 0) - cpuBefore;
    const redisCpuBurst = (await redisCpuSeconds(redis)) - redisBefore;
    step(`${setup.name} ×${count(n)}: 10 publishes a second for ${latencySeconds} s`);
    probe.latencies = [];
    probe.recording = true;
    const pacedBefore = await redisCpuSeconds(redis);
    await nodes[0]!.ask({ cmd: 'publish', count: latencySeconds * 10, size: SIZE, intervalMs: 100 }, 'published');
    await sleep(500);
    probe.recording = false;
    const redisCpuPaced = (await redisCpuSeconds(redis)) - pacedBefore;
    return { deliveriesPerSecond, p50: quantile(probe.latencies, 0.5), p99: quantile(probe.latencies, 0.99), serverCpu, redisCpuBurst, redisCpuPaced };
  } finally {
    clients.close();
    probe.close();
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.close();
  }
}

export async function fanoutSection(config: RunConfig): Promise<SectionResult> {
  const n = config.fanoutConnections;
  const rounds = config.quick ? 5 : 20;
  const latencySeconds = config.quick ? 2 : 5;
  const figures = new Map<Setup, Figures>();
  for (const setup of [ONE, FOUR, CONTROL]) figures.set(setup, await measure(setup, n, rounds, latencySeconds));
  const one = figures.get(ONE)!;
  const four = figures.get(FOUR)!;
  const control = figures.get(CONTROL)!;
  const rows = [...figures].map(([setup, f]) => [setup.name, count(n), count(f.deliveriesPerSecond), fixed(f.p50, 1), fixed(f.p99, 1), fixed(f.serverCpu, 2), setup.redis ? `${fixed(f.redisCpuBurst * 1000, 1)} / ${fixed(f.redisCpuPaced * 1000, 1)}` : '—']);
  const r = four.deliveriesPerSecond / one.deliveriesPerSecond;
  const noise = control.deliveriesPerSecond / one.deliveriesPerSecond;
  return {
    title: '8. Fan-out across processes',
    tables: [
      {
        caption: `${count(n)} WebSockets subscribed to one topic (${PROBES} of them timing each message), a 16-byte message published by one process: ${rounds} back to back (deliveries/s and CPU), then 10 a second for ${latencySeconds} s (latency)`,
        head: ['setup', 'WebSockets', 'deliveries/s', 'latency p50 ms', 'latency p99 ms', 'servers CPU s (burst)', 'Redis CPU ms (burst / paced)'],
        rows,
      },
    ],
    notes: [
      'Clients are plain sockets in the benchmark process, the same for every setup; the timing ones read each frame and compare its first 8 bytes, the publisher\'s clock (performance.timeOrigin + now), with their own.',
      'Paced, each publish is one write system call per WebSocket (nothing to coalesce), about as much CPU as a server has for 10 publishes a second to this many: the latencies are mostly the servers working through their sends, in one process or four sharing the cores.',
      'Redis\'s CPU is its own (INFO cpu): one XADD per publish and one XREAD per node per batch read, however many WebSockets.',
      `The four processes and Redis share this machine's ${config.cores} cores with the clients: the setup shows what the Redis path costs, not what four machines would deliver.`,
      ...(n < 20_000 ? [`${count(n)} WebSockets, not 20,000: the one-process setup holds them all, and a process here may open ${count(config.openFiles)} files at most (the hard limit, which this machine does not let even root raise).`] : []),
      `Control: the one-process setup measured again, ${ratio(noise)} of the first; every ratio here carries about that much noise.`,
    ],
    targets: [{ goal: `fan-out over 4 processes through Redis ≥ 0.8× one process (deliveries/s, ${count(n)} WebSockets)`, measured: `${ratio(r)} (control ${ratio(noise)}); latency p50/p99 ${fixed(four.p50, 1)}/${fixed(four.p99, 1)} ms against ${fixed(one.p50, 1)}/${fixed(one.p99, 1)} ms`, met: r >= 0.8 }],
  };
}
