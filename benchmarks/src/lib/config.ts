import { execSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
/** Run settings: `--quick` shortens every measurement so that the whole run stays under a minute. */
export interface RunConfig {
  quick: boolean;
  /** Sections to run (1–8); all by default. `--only=2,4` picks some. */
  sections: Set<number>;
  /** Per echo case and server: a short warm-up, the measured window, rounds (median taken), first warm-up of each server. */
  warmupMs: number;
  measureMs: number;
  rounds: number;
  jitWarmupMs: number;
  /** Idle connections of the memory test. */
  memoryConnections: number;
  /** Connection counts of the broadcast test. */
  broadcastConnections: number[];
  /** WebSockets of the fan-out section, spread over its processes: 20,000, or what one process's open-files limit leaves room for. */
  fanoutConnections: number;
  /** This process's open-files limit (what bench.ts could raise it to). */
  openFiles: number;
  /** Cores of this machine (the fan-out section's processes share them). */
  cores: number;
  /** Time budget of one codec measurement. */
  codecBudgetMs: number;
  streamMs: number;
}

export function parseConfig(argv: string[]): RunConfig {
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only='))?.slice(7);
  return {
    quick,
    sections: new Set(only ? only.split(',').map(Number) : [1, 2, 3, 4, 5, 6, 7, 8]),
    warmupMs: quick ? 40 : 150,
    measureMs: quick ? 120 : 300,
    rounds: quick ? 1 : 5,
    jitWarmupMs: quick ? 300 : 1500,
    memoryConnections: quick ? 1000 : 10_000,
    broadcastConnections: quick ? [1000] : [1000, 10_000],
    fanoutConnections: quick ? 2000 : Math.min(20_000, Math.floor((openFiles() - 1000) / 1000) * 1000),
    openFiles: openFiles(),
    cores: availableParallelism(),
    codecBudgetMs: quick ? 8 : 150,
    streamMs: quick ? 700 : 4000,
  };
}

/** The open-files limit a child of this process gets (bench.ts raised it as far as the hard limit lets). */
function openFiles(): number {
  return Number(execSync('ulimit -n', { shell: '/bin/sh', encoding: 'utf8' }).trim()) || 1024;
}
