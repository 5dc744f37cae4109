/**
 * Section 5: HTTP/2 and HTTP/3. wstack's WebSocket echo with 1, 16 and 256
 * WebSockets on one session against a raw stream echo on the same
 * protocol, and against wstack over HTTP/1.1.
 */
import type { ClientHttp2Session } from 'node:http2';
import type { RunConfig } from '../lib/config.js';
import { rawH2Client, rawQuicClient, SessionPool, wsClient, wstackH2Client, type EchoClient, type Reply } from '../lib/echo-clients.js';
import type { EchoFigures } from '../lib/echo-load.js';
import { runInterleaved, type EchoCase, type Subject } from '../lib/interleaved.js';
import { count, fixed, ratio, sizeName } from '../lib/format.js';
import { loadHttp3, type QuicClient } from '../lib/http3-module.js';
import type { SectionResult, Table, Target } from '../lib/report-types.js';

const STREAMS = [1, 16, 256];
/** HTTP/3 runs at about a thousand messages a second (the QUIC library's cost per datagram): 256 streams would say nothing more. */
const H3_STREAMS = [1, 16];
const SIZES = [16, 1024, 65536];
const caseName = (streams: number, size: number) => `${streams} × ${sizeName(size)}`;
const messagesPerSecond = (f: EchoFigures) => f.messagesPerSecond;
/** How the tables' ratios are taken. */
const RATIOS = 'the ratio is the median of the rounds\' own ratios (the windows of one round run one after the other); server CPU is the server process\'s own, client CPU the load generator\'s (user + system), both per echoed message: in a closed loop the two take turns, so messages per second follow their sum';

async function h3Client(port: number, fingerprint: string, reply: Reply): Promise<EchoClient> {
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') throw new Error(http3);
  const connection = await http3.connect(`wss://127.0.0.1:${port}/`, { tls: { pin: fingerprint } });
  connection.on('message', reply);
  connection.on('error', () => {});
  return { send: (payload, binary) => connection.send(payload, { binary }), close: () => connection.terminate() };
}

const H3_GOAL = 'HTTP/3 WebSocket echo ≥ 0.9× raw @matrixai/quic stream echo (msg/s)';

/**
 * wstack's WebSocket echo over HTTP/3 against the raw @matrixai/quic stream
 * echo (length-prefixed messages on plain bidi streams, the same library and
 * transport settings), side by side; N streams on one QUIC connection each.
 */
async function http3Figures(config: RunConfig): Promise<{ table: Table; bars: { label: string; value: number }[]; worst: number } | string> {
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') return http3;
  const quicClients = new Map<number, Promise<QuicClient>>();
  const subjects: Subject[] = [
    { name: 'wstack h3', kind: 'wstack-h3', open: (server) => (port, reply) => h3Client(port, server.detail ?? '', reply) },
    { name: 'raw quic', kind: 'raw-quic', open: (server) => rawQuicClient(quicClients, server.detail ?? '') },
  ];
  const sizes = config.quick ? [1024] : [16, 1024];
  const cases: EchoCase[] = H3_STREAMS.flatMap((streams) => sizes.map((size) => ({ name: caseName(streams, size), clients: streams, payload: Buffer.alloc(size, 0x78), binary: true })));
  let figures;
  try {
    // About a thousand messages a second: windows of the suite's length would hold a few hundred, too few for a steady median.
    figures = await runInterleaved(subjects, cases, { ...config, measureMs: config.measureMs * 2 });
  } catch (error) {
    return (error as Error).message;
  } finally {
    // wstack's connection closes with its last WebSocket (the default pool); the raw one is ours to close.
    await Promise.all([...quicClients.values()].map((client) => client.then((c) => c.destroy({ force: true })).catch(() => undefined)));
  }
  const rows: string[][] = [];
  const bars: { label: string; value: number }[] = [];
  let worst = Infinity;
  for (const streams of H3_STREAMS) {
    for (const size of sizes) {
      const key = caseName(streams, size);
      const ours = figures.figures.get(`wstack h3/${key}`)!;
      const raw = figures.figures.get(`raw quic/${key}`)!;
      const r = figures.ratio(`wstack h3/${key}`, `raw quic/${key}`, messagesPerSecond);
      worst = Math.min(worst, r);
      bars.push({ label: `h3 ${streams}× ${sizeName(size)}`, value: r });
      rows.push([
        String(streams), sizeName(size),
        count(ours.messagesPerSecond), count(raw.messagesPerSecond), ratio(r),
        fixed(ours.cpuMicrosPerMessage, 2), fixed(raw.cpuMicrosPerMessage, 2),
        fixed(ours.clientCpuMicrosPerMessage, 2), fixed(raw.clientCpuMicrosPerMessage, 2), fixed(ours.p50Ms, 3), fixed(ours.p99Ms, 3),
      ]);
    }
  }
  const table: Table = {
    caption: `HTTP/3: binary echo, N WebSockets (or raw streams) on one QUIC connection; wstack's own client for its WebSockets over HTTP/3, a plain @matrixai/quic client with length-prefixed messages on bidi streams for the raw floor (same library, patch and transport settings); latency is wstack's; ${RATIOS}`,
    head: ['streams', 'size', 'wstack h3 msg/s', 'raw QUIC msg/s', 'h3 ÷ raw', 'wstack h3 server CPU µs/msg', 'raw QUIC server CPU µs/msg', 'wstack h3 client CPU µs/msg', 'raw QUIC client CPU µs/msg', 'wstack h3 p50 ms', 'wstack h3 p99 ms'],
    rows,
  };
  return { table, bars, worst };
}

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
  const h3 = await http3Figures(config);
  if (typeof h3 === 'string') {
    notes.push(`HTTP/3 not measured: ${h3}.`);
    targets.push({ goal: H3_GOAL, measured: 'not measured', met: null });
  } else {
    tables.push(h3.table);
    bars.push(...h3.bars);
    targets.push({ goal: H3_GOAL, measured: `worst ${ratio(h3.worst)}`, met: h3.worst >= 0.9 });
  }
  return { title: '5. HTTP/2 and HTTP/3', tables, notes, targets, chart: { title: 'HTTP/2 and HTTP/3: wstack WebSocket echo ÷ raw stream echo, msg/s (higher is better)', bars, higherIsBetter: true } };
}
