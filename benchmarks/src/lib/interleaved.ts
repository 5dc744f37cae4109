/**
 * Runs echo cases against several servers side by side: all servers up at
 * once, each warmed up first (so the JIT has compiled the hot paths), then
 * each case run on every server in turn, several rounds (every other one in
 * reverse order), so that a change in the machine's background load falls
 * on all of them alike. Each figure is the median of its rounds; each ratio
 * the median of the rounds' ratios.
 */
import { EchoPool, type EchoFigures, type OpenClient } from './echo-load.js';
import { step } from './progress.js';
import { ServerChild } from './server-child.js';
import type { ServerKind } from '../servers/protocol.js';

export interface Subject {
  name: string;
  kind: ServerKind;
  open: (server: ServerChild) => OpenClient;
  /**
   * Subjects naming the same `shared` key use one server child (started
   * for the first of them), so that two carriers of one server are measured
   * in one process; its CPU in a window is the running subject's, since the
   * windows run one at a time. Default: a child of the subject's own.
   */
  shared?: string;
  /** The cases this subject runs; default all. */
  runs?: (echoCase: EchoCase) => boolean;
}

export interface EchoCase {
  name: string;
  clients: number;
  payload: Buffer | string;
  binary: boolean;
}

export interface Timing {
  warmupMs: number;
  measureMs: number;
  rounds: number;
  /** First warm-up of each server. */
  jitWarmupMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function medianFigures(list: EchoFigures[]): EchoFigures {
  const pick = (key: keyof EchoFigures) => median(list.map((f) => f[key]));
  return {
    messages: pick('messages'),
    seconds: pick('seconds'),
    messagesPerSecond: pick('messagesPerSecond'),
    megabytesPerSecond: pick('megabytesPerSecond'),
    cpuMicrosPerMessage: pick('cpuMicrosPerMessage'),
    clientCpuMicrosPerMessage: pick('clientCpuMicrosPerMessage'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
  };
}

export interface Interleaved {
  /** Median figures by `${subject.name}/${case.name}`. */
  figures: Map<string, EchoFigures>;
  /**
   * `pick(a) ÷ pick(b)` for two such keys: the median of the ratios of each
   * round, whose windows ran one after the other, so that a change in the
   * machine's speed between rounds falls on both sides of each ratio.
   */
  ratio(a: string, b: string, pick: (f: EchoFigures) => number): number;
}

export async function runInterleaved(subjects: Subject[], cases: EchoCase[], timing: Timing): Promise<Interleaved> {
  const servers: ServerChild[] = [];
  const pools: EchoPool[] = [];
  const samples = new Map<string, EchoFigures[]>();
  const shared = new Map<string, ServerChild>();
  const runs = (subject: Subject, echoCase: EchoCase) => subject.runs?.(echoCase) ?? true;
  try {
    for (const subject of subjects) {
      let server = subject.shared === undefined ? undefined : shared.get(subject.shared);
      if (server === undefined) {
        server = await ServerChild.start(subject.kind, 'echo');
        servers.push(server);
        if (subject.shared !== undefined) shared.set(subject.shared, server);
      }
      const pool = new EchoPool(server, subject.open(server));
      pools.push(pool);
      step(`warming up ${subject.name}`);
      const warm = cases.find((echoCase) => runs(subject, echoCase)) ?? cases[0]!;
      await pool.run(Math.min(16, warm.clients), warm.payload, warm.binary, 0, timing.jitWarmupMs);
    }
    for (const echoCase of cases) {
      for (let round = 0; round < timing.rounds; round++) {
        // Every other round in reverse order: a drift in the machine's speed within a round then favours no subject.
        for (let k = 0; k < subjects.length; k++) {
          const i = round % 2 === 0 ? k : subjects.length - 1 - k;
          const subject = subjects[i]!;
          if (!runs(subject, echoCase)) continue;
          step(`${echoCase.name}: ${subject.name}${timing.rounds > 1 ? `, round ${round + 1}/${timing.rounds}` : ''}`);
          const figures = await pools[i]!.run(echoCase.clients, echoCase.payload, echoCase.binary, timing.warmupMs, timing.measureMs);
          const key = `${subject.name}/${echoCase.name}`;
          samples.set(key, [...(samples.get(key) ?? []), figures]);
        }
      }
    }
  } finally {
    for (const pool of pools) pool.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
  return {
    figures: new Map([...samples].map(([key, list]) => [key, medianFigures(list)])),
    ratio: (a, b, pick) => {
      const over = samples.get(b)!;
      return median(samples.get(a)!.map((f, round) => pick(f) / pick(over[round]!)));
    },
  };
}
