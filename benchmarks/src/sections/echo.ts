/**
 * Section 2: echo over HTTP/1.1. wstack http1, ws with bufferutil, and the
 * raw TCP floor, each in a child process; the same `ws` client against both
 * WebSocket servers. A second ws server, measured like the others, is the
 * control: its ratio to the first is the noise every ratio here carries.
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
const CONTROL = 'ws, second server';
const FLOOR = 'raw TCP';
const SUBJECTS: Subject[] = [
  { name: 'wstack', kind: 'wstack-h1', open: () => wsClient },
  { name: 'ws', kind: 'ws', open: () => wsClient },
  { name: CONTROL, kind: 'ws', open: () => wsClient },
  { name: FLOOR, kind: 'raw-tcp', open: () => rawTcpClient },
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
        });
      }
    }
  }
  return report(await runInterleaved(SUBJECTS, cases, config), config.rounds);
}

const cpu = (f: EchoFigures) => f.cpuMicrosPerMessage;

function report(results: Interleaved, rounds: number): SectionResult {
  const cases = CONCURRENCY.flatMap((clients) => SIZES.flatMap((size) => TYPES.map((type) => ({ clients, size, type, name: caseName(clients, size, type) }))));
  const cpuRatio = (subject: string, over: string, name: string) => results.ratio(`${subject}/${name}`, `${over}/${name}`, cpu);
  /** The worst (highest) CPU ratio of `subject` to `over` among the cases at the sizes `where` picks. */
  const worst = (subject: string, over: string, where: (size: number) => boolean) =>
    Math.max(...cases.filter((c) => where(c.size)).map((c) => cpuRatio(subject, over, c.name)));
  const control = cases.map((c) => cpuRatio(CONTROL, 'ws', c.name));
  const rows = cases.flatMap((c) =>
    SUBJECTS.map(({ name: subject }) => {
      const f = results.figures.get(`${subject}/${c.name}`)!;
      const against = (over: string) => (subject === over ? '1.00×' : ratio(cpuRatio(subject, over, c.name)));
      return [
        String(c.clients), sizeName(c.size), c.type, subject,
        count(f.messagesPerSecond), fixed(f.megabytesPerSecond, 1), fixed(f.cpuMicrosPerMessage, 2), fixed(f.clientCpuMicrosPerMessage, 2),
        against(FLOOR), subject === 'ws' ? '' : against('ws'),
        fixed(f.p50Ms, 3), fixed(f.p99Ms, 3),
      ];
    }),
  );
  const bars = cases.map((c) => ({ label: `${c.clients}c ${sizeName(c.size)} ${c.type === 'text' ? 'txt' : 'bin'}`, value: cpuRatio('wstack', FLOOR, c.name) }));
  const floorTarget = (goal: string, where: (size: number) => boolean, limit: number): Target => {
    const ours = worst('wstack', FLOOR, where);
    return { goal, measured: `worst ${ratio(ours)} (ws: ${ratio(worst('ws', FLOOR, where))})`, met: ours <= limit };
  };
  const oursVsWs = worst('wstack', 'ws', () => true);
  const targets: Target[] = [
    { goal: 'server CPU per message below ws in every echo case', measured: `worst case wstack ÷ ws ${ratio(oursVsWs)} (the control, a second ws server ÷ ws: worst ${ratio(Math.max(...control))})`, met: oursVsWs < 1 },
    floorTarget('server CPU per message within 1.05× the raw TCP floor at 16 B and 1 KiB', (size) => size < 65536, 1.05),
    floorTarget('server CPU per message within 1.5× the raw TCP floor at 64 KiB', (size) => size >= 65536, 1.5),
  ];
  return {
    title: '2. Echo over HTTP/1.1',
    tables: [{
      caption: `Closed loop, one message in flight per client; CPU is the server process's own (user + system) per echoed message, client CPU the load generator's; median of ${rounds} interleaved round(s); each ratio is the median of the rounds' own ratios (the windows of one round run one after the other)`,
      head: ['clients', 'size', 'type', 'server', 'msg/s', 'MB/s', 'server CPU µs/msg', 'client CPU µs/msg', 'CPU ÷ raw floor', 'CPU ÷ ws', 'p50 ms', 'p99 ms'],
      rows,
    }],
    notes: [
      'Client: the `ws` library (with bufferutil) against the WebSocket servers; a plain socket with 4-byte length prefixes against the raw TCP floor, which echoes a text case\'s bytes like any others. The servers run side by side, each case on each in turn, every other round in reverse order.',
      `Control: "${CONTROL}" is a second ws server, the same code as the first, measured like every other. Its ratio to ws would be 1.00× on a quiet machine; here it spans ${ratio(Math.min(...control))} to ${ratio(Math.max(...control))} over the cases, and any ratio in this table carries that much noise.`,
    ],
    targets,
    chart: { title: 'Echo: wstack server CPU per message ÷ raw TCP floor (lower is better, 1 = floor)', bars, higherIsBetter: false },
  };
}
