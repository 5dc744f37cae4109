/**
 * Section 5: HTTP/2 and HTTP/3. HTTP/2: wstack's WebSocket echo with 1, 16
 * and 256 WebSockets on one session against a raw stream echo on the same
 * protocol, and against wstack over HTTP/1.1. HTTP/3: wstack's echo against
 * its own HTTP/1.1 in one server process (http3-echo.ts), quiche's own
 * cost in memory (quiche-floor.ts), and 1,000 WebSockets on 100 QUIC
 * connections with their memory (http3-scale.ts).
 */
import type { ClientHttp2Session } from 'node:http2';
import type { RunConfig } from '../lib/config.js';
import { rawH2Client, SessionPool, wsClient, wstackH2Client } from '../lib/echo-clients.js';
import type { EchoFigures } from '../lib/echo-load.js';
import { runInterleaved, type EchoCase, type Subject } from '../lib/interleaved.js';
import { count, fixed, ratio, sizeName } from '../lib/format.js';
import { loadHttp3 } from '../lib/http3-module.js';
import type { SectionResult, Table, Target } from '../lib/report-types.js';
import { caseName as h3CaseName, CPU_GOAL, ECHO_GOAL, http3Echo } from './http3-echo.js';
import { http3Scale } from './http3-scale.js';
import { quicheFloor } from './quiche-floor.js';

const STREAMS = [1, 16, 256];
const SIZES = [16, 1024, 65536];
const caseName = (streams: number, size: number) => `${streams} × ${sizeName(size)}`;
const messagesPerSecond = (f: EchoFigures) => f.messagesPerSecond;
/** How the tables' ratios are taken. */
const RATIOS = 'the ratio is the median of the rounds\' own ratios (the windows of one round run one after the other); server CPU is the server process\'s own, client CPU the load generator\'s (user + system), both per echoed message: in a closed loop the two take turns, so messages per second follow their sum';

export async function multiplexSection(config: RunConfig): Promise<SectionResult> {
  const h2Pool = new SessionPool();
  const sessions = new Map<number, ClientHttp2Session>();
  const subjects: Subject[] = [
    { name: 'wstack h2', kind: 'wstack-h2', open: () => wstackH2Client(h2Pool) },
    { name: 'raw h2', kind: 'raw-h2', open: () => rawH2Client(sessions) },
    { name: 'wstack h1', kind: 'wstack-h1', open: () => wsClient },
  ];
  const sizes = config.quick ? SIZES.slice(0, 2) : SIZES;
  const cases: EchoCase[] = STREAMS.flatMap((streams) => sizes.map((size) => ({ name: caseName(streams, size), clients: streams, payload: Buffer.alloc(size, 0x78), binary: true })));
  const figures = await runInterleaved(subjects, cases, config);
  for (const session of sessions.values()) session.close();
  const rows: string[][] = [];
  const targets: Target[] = [];
  const bars: { label: string; value: number }[] = [];
  let worst = Infinity;
  for (const streams of STREAMS) {
    for (const size of sizes) {
      const key = caseName(streams, size);
      const ours = figures.figures.get(`wstack h2/${key}`)!;
      const raw = figures.figures.get(`raw h2/${key}`)!;
      const h1 = figures.figures.get(`wstack h1/${key}`)!;
      const r = figures.ratio(`wstack h2/${key}`, `raw h2/${key}`, messagesPerSecond);
      worst = Math.min(worst, r);
      bars.push({ label: `h2 ${streams}× ${sizeName(size)}`, value: r });
      rows.push([
        String(streams), sizeName(size),
        count(ours.messagesPerSecond), count(raw.messagesPerSecond), count(h1.messagesPerSecond), ratio(r),
        fixed(ours.cpuMicrosPerMessage, 2), fixed(raw.cpuMicrosPerMessage, 2), fixed(h1.cpuMicrosPerMessage, 2),
        fixed(ours.clientCpuMicrosPerMessage, 2), fixed(raw.clientCpuMicrosPerMessage, 2),
      ]);
    }
  }
  targets.push({ goal: 'HTTP/2 WebSocket echo ≥ 0.9× raw HTTP/2 stream echo (msg/s)', measured: `worst ${ratio(worst)}`, met: worst >= 0.9 });
  const tables: Table[] = [{
    caption: `HTTP/2: binary echo, N WebSockets (or raw streams) on one session; wstack's own client for its WebSockets over HTTP/2, a node:http2 client with length-prefixed messages for the raw streams; wstack http1 (same N connections, \`ws\` client) for comparison; ${RATIOS}`,
    head: ['streams', 'size', 'wstack h2 msg/s', 'raw h2 msg/s', 'wstack h1 msg/s', 'h2 ÷ raw', 'wstack h2 server CPU µs/msg', 'raw h2 server CPU µs/msg', 'wstack h1 server CPU µs/msg', 'wstack h2 client CPU µs/msg', 'raw h2 client CPU µs/msg'],
    rows,
  }];
  const notes: string[] = [];
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') {
    notes.push(`HTTP/3 not measured: ${http3}.`);
    for (const goal of [ECHO_GOAL, CPU_GOAL]) targets.push({ goal, measured: 'not measured', met: null });
  } else {
    // A failure of one HTTP/3 part is noted, and the figures measured before it stay.
    const failed = (part: string) => (error: unknown) => void notes.push(`${part} failed: ${(error as Error).message}.`);
    const echo = await http3Echo(config, http3).catch(failed('HTTP/3 against HTTP/1.1'));
    if (echo) {
      tables.push(echo.table);
      notes.push(...echo.notes);
      targets.push(...echo.targets);
      bars.push(...echo.bars);
    } else {
      for (const goal of [ECHO_GOAL, CPU_GOAL]) targets.push({ goal, measured: 'not measured', met: null });
    }
    const floor = await quicheFloor(config, (size) => echo?.h3.get(h3CaseName(1, size))).catch((error: Error) => error.message);
    if (typeof floor === 'string') notes.push(`quiche floor not measured: ${floor}.`);
    else tables.push(floor);
    const scale = await http3Scale(config, http3).catch(failed('1,000 HTTP/3 WebSockets'));
    if (scale) {
      tables.push(scale.table);
      notes.push(...scale.notes);
    }
  }
  return { title: '5. HTTP/2 and HTTP/3', tables, notes, targets, chart: { title: 'HTTP/2: wstack WebSocket echo ÷ raw stream echo; HTTP/3: wstack echo ÷ wstack over HTTP/1.1; msg/s (higher is better)', bars, higherIsBetter: true } };
}
