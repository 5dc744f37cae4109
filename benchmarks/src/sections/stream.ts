/**
 * Section 3: streaming. One client sends 1 MiB messages one way as fast as
 * backpressure allows; the server counts what arrives. MB/s, and the
 * server's CPU seconds per GB received.
 */
import { connect as netConnect } from 'node:net';
import { WebSocket } from 'ws';
import type { RunConfig } from '../lib/config.js';
import { fixed, ratio, sleep } from '../lib/format.js';
import { step } from '../lib/progress.js';
import type { SectionResult } from '../lib/report-types.js';
import { ServerChild } from '../lib/server-child.js';
import { lengthPrefixed } from '../servers/length-prefix.js';
import type { ServerKind } from '../servers/protocol.js';

const MESSAGE = 1048576;
const IN_FLIGHT = 4;

/** Starts sending; returns a function that stops. */
async function wsSender(port: number): Promise<() => void> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('error', () => {});
  const payload = Buffer.alloc(MESSAGE, 0x61);
  let stopped = false;
  const next = () => {
    if (!stopped) ws.send(payload, { binary: true }, next);
  };
  for (let i = 0; i < IN_FLIGHT; i++) next();
  return () => {
    stopped = true;
    ws.terminate();
  };
}

async function rawSender(port: number): Promise<() => void> {
  const socket = netConnect({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  const frame = lengthPrefixed(Buffer.alloc(MESSAGE, 0x61));
  let stopped = false;
  const pump = () => {
    while (!stopped && socket.write(frame));
  };
  socket.on('drain', pump);
  pump();
  return () => {
    stopped = true;
    socket.destroy();
  };
}

interface Figures {
  megabytesPerSecond: number;
  cpuSecondsPerGigabyte: number;
}

async function measure(kind: ServerKind, ms: number): Promise<Figures> {
  const server = await ServerChild.start(kind, 'sink');
  try {
    const stop = await (kind === 'raw-tcp' ? rawSender : wsSender)(server.port);
    await sleep(ms / 5);
    const before = await server.stats();
    const started = performance.now();
    await sleep(ms);
    const after = await server.stats();
    const seconds = (performance.now() - started) / 1000;
    stop();
    const bytes = after.bytesIn - before.bytesIn;
    return { megabytesPerSecond: bytes / seconds / 1e6, cpuSecondsPerGigabyte: (after.cpuMicros - before.cpuMicros) / 1e6 / (bytes / 1e9) };
  } finally {
    await server.stop();
  }
}

export async function streamSection(config: RunConfig): Promise<SectionResult> {
  const figures = new Map<ServerKind, Figures>();
  for (const kind of ['wstack-h1', 'ws', 'raw-tcp'] as ServerKind[]) {
    step(kind);
    figures.set(kind, await measure(kind, config.streamMs));
  }
  const floor = figures.get('raw-tcp')!;
  const ours = figures.get('wstack-h1')!;
  const theirs = figures.get('ws')!;
  const rows = [...figures].map(([kind, f]) => [kind, fixed(f.megabytesPerSecond, 0), fixed(f.cpuSecondsPerGigabyte, 3), ratio(f.cpuSecondsPerGigabyte / floor.cpuSecondsPerGigabyte)]);
  return {
    title: '3. Streaming',
    tables: [{ caption: `One \`ws\` client sends ${IN_FLIGHT} × 1 MiB binary messages in flight, one way (the raw floor: length-prefixed blocks); the server counts bytes`, head: ['server', 'MB/s', 'server CPU s/GB', 'CPU vs floor'], rows }],
    notes: [],
    targets: [{ goal: '(no target of its own) server CPU per GB below ws', measured: `wstack ÷ ws ${ratio(ours.cpuSecondsPerGigabyte / theirs.cpuSecondsPerGigabyte)}`, met: ours.cpuSecondsPerGigabyte < theirs.cpuSecondsPerGigabyte }],
    chart: { title: 'Streaming: server CPU per GB ÷ raw TCP floor (lower is better)', bars: rows.map((r, i) => ({ label: r[0]!, value: [...figures.values()][i]!.cpuSecondsPerGigabyte / floor.cpuSecondsPerGigabyte })), higherIsBetter: false },
  };
}
