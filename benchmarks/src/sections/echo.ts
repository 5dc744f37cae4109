/**
 * Section 2: echo over HTTP/1.1. wstack http1, ws with bufferutil, and the
 * raw TCP floor, each in a child process; the same `ws` client against both
 * WebSocket servers.
 */
import { rawTcpClient, wsClient } from '../lib/echo-clients.js';
import type { EchoFigures } from '../lib/echo-load.js';
import type { RunConfig } from '../lib/config.js';
import { fixed, count, ratio, sizeName } from '../lib/format.js';
import { runInterleaved, type EchoCase, type Interleaved, type Subject } from '../lib/interleaved.js';
import type { SectionResult, Target } from '../lib/report-types.js';

const CONCURRENCY = [1, 16, 256];
const SIZES = [16, 1024, 65536];
const TYPES = ['text', 'binary'] as const;
const SUBJECTS: Subject[] = [
  { name: 'wstack', kind: 'wstack-h1', open: () => wsClient },
  { name: 'ws', kind: 'ws', open: () => wsClient },
  { name: 'raw TCP', kind: 'raw-tcp', open: () => rawTcpClient },
];

const caseName = (clients: number, size: number, type: string) => `${clients} × ${sizeName(size)} ${type}`;

export async function echoSection(config: RunConfig): Promise<SectionResult> {
  const cases: EchoCase[] = [];
  for (const clients of CONCURRENCY) {
    for (const size of SIZES) {
      for (const type of TYPES) {
        cases.push({
          name: caseName(clients, size, type),
          clients,
          payload: type === 'text' ? 'x'.repeat(size) : Buffer.alloc(size, 0x78),
          binary: type === 'binary',
          // The raw floor has no text: its binary figure stands for both.
          skip: (subject) => subject.kind === 'raw-tcp' && type === 'text',
        });
      }
    }
  }
  return report(await runInterleaved(SUBJECTS, cases, config), config.rounds);
}

const cpu = (f: EchoFigures) => f.cpuMicrosPerMessage;

function report(results: Interleaved, rounds: number): SectionResult {
  const rows: string[][] = [];
  const bars: { label: string; value: number }[] = [];
  let belowWs = true;
  let worstSmall = 0;
  let worstLarge = 0;
  let worstVsWs = 0;
  for (const clients of CONCURRENCY) {
    for (const size of SIZES) {
      for (const type of TYPES) {
        const floorKey = `raw TCP/${caseName(clients, size, 'binary')}`;
        const oursKey = `wstack/${caseName(clients, size, type)}`;
        const theirsKey = `ws/${caseName(clients, size, type)}`;
        const list: [string, string][] = [['wstack', oursKey], ['ws', theirsKey]];
        if (type === 'binary') list.push(['raw TCP', floorKey]);
        for (const [name, key] of list) {
          const f = results.figures.get(key)!;
          rows.push([
            String(clients), sizeName(size), type, name,
            count(f.messagesPerSecond), fixed(f.megabytesPerSecond, 1), fixed(f.cpuMicrosPerMessage, 2),
            name === 'raw TCP' ? '1.00×' : ratio(results.ratio(key, floorKey, cpu)),
            name === 'ws' ? '' : ratio(results.ratio(key, theirsKey, cpu)),
            fixed(f.p50Ms, 3), fixed(f.p99Ms, 3),
          ]);
        }
        const vsFloor = results.ratio(oursKey, floorKey, cpu);
        const vsWs = results.ratio(oursKey, theirsKey, cpu);
        worstVsWs = Math.max(worstVsWs, vsWs);
        if (vsWs >= 1) belowWs = false;
        if (size < 65536) worstSmall = Math.max(worstSmall, vsFloor);
        else worstLarge = Math.max(worstLarge, vsFloor);
        bars.push({ label: `${clients}c ${sizeName(size)} ${type === 'text' ? 'txt' : 'bin'}`, value: vsFloor });
      }
    }
  }
  const targets: Target[] = [
    { goal: 'server CPU per message below ws in every echo case', measured: `worst case wstack ÷ ws ${ratio(worstVsWs)}`, met: belowWs },
    { goal: 'server CPU per message within 1.05× the raw TCP floor at 16 B and 1 KiB', measured: `worst ${ratio(worstSmall)}`, met: worstSmall <= 1.05 },
    { goal: 'server CPU per message within 1.5× the raw TCP floor at 64 KiB', measured: `worst ${ratio(worstLarge)}`, met: worstLarge <= 1.5 },
  ];
  return {
    title: '2. Echo over HTTP/1.1',
    tables: [{
      caption: `Closed loop, one message in flight per client; CPU is the server process's own (user + system) per echoed message; median of ${rounds} interleaved round(s); each ratio is the median of the rounds' own ratios (the windows of one round run one after the other)`,
      head: ['clients', 'size', 'type', 'server', 'msg/s', 'MB/s', 'server CPU µs/msg', 'CPU ÷ raw floor', 'CPU ÷ ws', 'p50 ms', 'p99 ms'],
      rows,
    }],
    notes: ['Client: the `ws` library (with bufferutil) against both WebSocket servers; a plain socket with 4-byte length prefixes against the raw TCP floor, whose binary figure stands for both text and binary. The servers run side by side, each case on each in turn.'],
    targets,
    chart: { title: 'Echo: wstack server CPU per message ÷ raw TCP floor (lower is better, 1 = floor)', bars, higherIsBetter: false },
  };
}
