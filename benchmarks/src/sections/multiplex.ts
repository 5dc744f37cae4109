/**
 * Section 5: HTTP/2 and HTTP/3. wstack's WebSocket echo with 1, 16 and 256
 * WebSockets on one session against a raw stream echo on the same
 * protocol, and against wstack over HTTP/1.1.
 */
import type { ClientHttp2Session } from 'node:http2';
import type { RunConfig } from '../lib/config.js';
import { rawH2Client, SessionPool, wsClient, wstackH2Client, type EchoClient, type Reply } from '../lib/echo-clients.js';
import { EchoPool } from '../lib/echo-load.js';
import { runInterleaved, type EchoCase, type Subject } from '../lib/interleaved.js';
import { count, fixed, ratio, sizeName } from '../lib/format.js';
import { loadHttp3 } from '../lib/http3-module.js';
import { step } from '../lib/progress.js';
import type { SectionResult, Table, Target } from '../lib/report-types.js';
import { ServerChild } from '../lib/server-child.js';

const STREAMS = [1, 16, 256];
const SIZES = [16, 1024, 65536];
const caseName = (streams: number, size: number) => `${streams} × ${sizeName(size)}`;

async function h3Client(port: number, fingerprint: string, reply: Reply): Promise<EchoClient> {
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') throw new Error(http3);
  const connection = await http3.connect(`wss://127.0.0.1:${port}/`, { tls: { pin: fingerprint } });
  connection.on('message', reply);
  connection.on('error', () => {});
  return { send: (payload, binary) => connection.send(payload, { binary }), close: () => connection.terminate() };
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
      const ours = figures.get(`wstack h2/${key}`)!;
      const raw = figures.get(`raw h2/${key}`)!;
      const h1 = figures.get(`wstack h1/${key}`)!;
      const r = ours.messagesPerSecond / raw.messagesPerSecond;
      worst = Math.min(worst, r);
      bars.push({ label: `h2 ${streams}× ${sizeName(size)}`, value: r });
      rows.push([
        String(streams), sizeName(size),
        count(ours.messagesPerSecond), count(raw.messagesPerSecond), count(h1.messagesPerSecond), ratio(r),
        fixed(ours.cpuMicrosPerMessage, 2), fixed(raw.cpuMicrosPerMessage, 2), fixed(h1.cpuMicrosPerMessage, 2),
      ]);
    }
  }
  targets.push({ goal: 'HTTP/2 WebSocket echo ≥ 0.9× raw HTTP/2 stream echo (msg/s)', measured: `worst ${ratio(worst)}`, met: worst >= 0.9 });
  const tables: Table[] = [{
    caption: 'HTTP/2: binary echo, N WebSockets (or raw streams) on one session; wstack\'s own client for its WebSockets over HTTP/2, a node:http2 client with length-prefixed messages for the raw streams; wstack http1 (same N connections, `ws` client) for comparison',
    head: ['streams', 'size', 'wstack h2 msg/s', 'raw h2 msg/s', 'wstack h1 msg/s', 'h2 ÷ raw', 'wstack h2 CPU µs/msg', 'raw h2 CPU µs/msg', 'wstack h1 CPU µs/msg'],
    rows,
  }];
  const notes: string[] = [];
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') {
    notes.push(`HTTP/3 not measured: ${http3}.`);
    targets.push({ goal: 'HTTP/3 WebSocket echo ≥ 0.9× raw @matrixai/quic stream echo', measured: 'not measured', met: null });
  } else {
    try {
      const server = await ServerChild.start('wstack-h3', 'echo');
      const pool = new EchoPool(server, (port, reply) => h3Client(port, server.detail ?? '', reply));
      const h3rows: string[][] = [];
      try {
        for (const streams of [1, 16]) {
          for (const size of config.quick ? [1024] : [16, 1024]) {
            step(`wstack h3 ${streams} × ${sizeName(size)}`);
            const f = await pool.run(streams, Buffer.alloc(size, 0x78), true, config.warmupMs, config.measureMs);
            h3rows.push([String(streams), sizeName(size), count(f.messagesPerSecond), fixed(f.cpuMicrosPerMessage, 2), fixed(f.p50Ms, 3), fixed(f.p99Ms, 3)]);
          }
        }
      } finally {
        pool.close();
        await server.stop();
      }
      tables.push({ caption: 'HTTP/3: wstack binary echo over one QUIC connection (wstack\'s client)', head: ['streams', 'size', 'msg/s', 'server CPU µs/msg', 'p50 ms', 'p99 ms'], rows: h3rows });
      notes.push('The raw @matrixai/quic stream echo (the floor of the HTTP/3 target) is not written yet: the HTTP/3 ratio is not measured.');
      targets.push({ goal: 'HTTP/3 WebSocket echo ≥ 0.9× raw @matrixai/quic stream echo', measured: 'wstack h3 measured; raw QUIC floor not measured', met: null });
    } catch (error) {
      notes.push(`HTTP/3 not measured: ${(error as Error).message}.`);
      targets.push({ goal: 'HTTP/3 WebSocket echo ≥ 0.9× raw @matrixai/quic stream echo', measured: 'not measured', met: null });
    }
  }
  return { title: '5. HTTP/2 and HTTP/3', tables, notes, targets, chart: { title: 'HTTP/2: wstack WebSocket echo ÷ raw stream echo, msg/s (higher is better)', bars, higherIsBetter: true } };
}
