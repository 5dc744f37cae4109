/**
 * Section 7: ordinary requests over HTTP/2 and HTTP/3 (and HTTP/1.1), one
 * node:http request listener served by wstack's createServer, against the
 * raw floors of node:http2 and node:https with the same answers. A small
 * GET and a 64 KiB GET, 16 in flight on one connection (HTTP/1.1: 16
 * keep-alive connections), windows of each subject interleaved in rounds;
 * the control row measures wstack over HTTP/2 twice per round, so its ratio
 * is the run's noise.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import type { RunConfig } from '../lib/config.js';
import { count, fixed, ratio } from '../lib/format.js';
import { loadHttp3 } from '../lib/http3-module.js';
import type { SectionResult, Target } from '../lib/report-types.js';
import type { RequestServers } from '../servers/serve-requests.js';
import { LOOPBACK_DATAGRAM_SIZE } from '../servers/serve-h3.js';

const TITLE = '7. Requests over HTTP/2 and HTTP/3';
const GOAL = 'HTTP/3 ÷ HTTP/2 requests/s with the same app ≥ 0.5× (small and 64 KiB GET)';
const IN_FLIGHT = 16;
const PATHS = [
  ['small', '/small'],
  ['64 KiB', '/64k'],
] as const;

type Fetch = (path: string) => Promise<number>;

interface Subject {
  name: string;
  fetch: Fetch;
}

/**
 * The server process, started again if it fails to listen: right after the
 * broadcast section's 10,000 connections, a port it picks was seen taken
 * (EADDRINUSE) once.
 */
async function startServers(attempts = 3): Promise<{ child: ChildProcess; servers: RequestServers }> {
  for (let attempt = 1; ; attempt++) {
    const child = fork(fileURLToPath(new URL('../servers/serve-requests.js', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    try {
      const servers = await new Promise<RequestServers>((resolve, reject) => {
        child.once('message', (message: { type: string; servers: RequestServers }) => resolve(message.servers));
        child.once('exit', (code) => reject(new Error(`the request servers exited with ${code}`)));
      });
      return { child, servers };
    } catch (error) {
      if (attempt === attempts) throw error;
    }
  }
}

export async function requestsSection(config: RunConfig): Promise<SectionResult> {
  const http3 = await loadHttp3();
  const { child, servers } = await startServers();
  const cpu = () => new Promise<number>((resolve) => {
    child.once('message', (message: { micros: number }) => resolve(message.micros));
    child.send({ cmd: 'cpu' });
  });
  const sessions: ClientHttp2Session[] = [];
  const agents: Agent[] = [];
  const h2 = (port: number): Fetch => {
    const session = connectHttp2(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    sessions.push(session);
    return (path) => new Promise((resolve, reject) => {
      const stream = session.request({ ':path': path });
      let length = 0;
      stream.on('data', (chunk: Buffer) => (length += chunk.length));
      stream.once('end', () => resolve(length));
      stream.once('error', reject);
    });
  };
  const h1 = (port: number): Fetch => {
    const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT, rejectUnauthorized: false });
    agents.push(agent);
    return (path) => new Promise((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
        let length = 0;
        response.on('data', (chunk: Buffer) => (length += chunk.length));
        response.once('end', () => resolve(length));
      }).once('error', reject).end();
    });
  };
  const wstackH2 = h2(servers.wstack);
  const subjects: Subject[] = [
    { name: 'wstack h2', fetch: wstackH2 },
    { name: 'wstack h2 (control)', fetch: wstackH2 },
    { name: 'raw node:http2', fetch: h2(servers.rawH2) },
    { name: 'wstack h1', fetch: h1(servers.wstack) },
    { name: 'raw node:https', fetch: h1(servers.rawH1) },
  ];
  const notes: string[] = [];
  let pool: { close(): void } | undefined;
  if (typeof http3 === 'string') notes.push(`HTTP/3 not measured: ${http3}.`);
  else {
    const h3Pool = new http3.SessionPool({ idleTimeout: Infinity });
    const origin = `https://127.0.0.1:${servers.wstack}`;
    const loopbackPool = new http3.SessionPool({ idleTimeout: Infinity, maxUdpPayloadSize: LOOPBACK_DATAGRAM_SIZE });
    pool = { close: () => [h3Pool, loopbackPool].forEach((one) => one.close()) };
    const loopback = `https://127.0.0.1:${servers.h3Loopback}`;
    subjects.splice(1, 0, { name: 'wstack h3', fetch: async (path) => (await http3.request(origin + path, { pool: h3Pool, tls: { pin: servers.pin } })).body.length });
    subjects.push({ name: `wstack h3, ${LOOPBACK_DATAGRAM_SIZE / 1024} KiB datagrams`, fetch: async (path) => (await http3.request(loopback + path, { pool: loopbackPool, tls: { pin: servers.pin } })).body.length });
  }
  const rates = new Map<string, number[]>();
  const cpuPer = new Map<string, number[]>();
  try {
    for (const { fetch } of subjects) for (const [, path] of PATHS) await load(fetch, path, config.jitWarmupMs);
    for (let round = 0; round < config.rounds; round++) {
      for (const [label, path] of PATHS) {
        for (const subject of subjects) {
          await load(subject.fetch, path, config.warmupMs);
          const before = await cpu();
          const done = await load(subject.fetch, path, config.measureMs * 3);
          const used = (await cpu()) - before;
          const key = `${subject.name}/${label}`;
          (rates.get(key) ?? rates.set(key, []).get(key)!).push(done / ((config.measureMs * 3) / 1000));
          (cpuPer.get(key) ?? cpuPer.set(key, []).get(key)!).push(used / Math.max(done, 1));
        }
      }
    }
  } finally {
    for (const session of sessions) session.close();
    for (const agent of agents) agent.destroy();
    pool?.close();
    child.kill();
  }
  const median = (values: number[] = []) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const rows = subjects.flatMap((subject) =>
    PATHS.map(([label]) => {
      const key = `${subject.name}/${label}`;
      return [subject.name, label, count(median(rates.get(key))), fixed(median(cpuPer.get(key)), 1), ratio(median(rates.get(key)) / median(rates.get(`wstack h2/${label}`)))];
    }),
  );
  const targets: Target[] = [];
  if (typeof http3 === 'string') targets.push({ goal: GOAL, measured: 'not measured', met: null });
  else {
    const ratios = PATHS.map(([label]) => median(rates.get(`wstack h3/${label}`)) / median(rates.get(`wstack h2/${label}`)));
    const noise = PATHS.map(([label]) => median(rates.get(`wstack h2 (control)/${label}`)) / median(rates.get(`wstack h2/${label}`)));
    targets.push({ goal: GOAL, measured: `${PATHS.map(([label], i) => `${label} ${ratio(ratios[i]!)}`).join(', ')} (control ${noise.map((n) => ratio(n)).join(', ')})`, met: Math.min(...ratios) >= 0.5 });
  }
  notes.push(
    'The same request listener `(req, res) => res.end(body)` (with content-type and content-length) on every wstack transport and on the node:https floor; the node:http2 floor answers on its `stream` event.',
    "Clients in the bench process: node:http2 (one session, 16 streams in flight), node:https (16 keep-alive connections), @wstack/http3's `request` (one QUIC connection, 16 streams in flight). Server CPU is the server process's, which holds all the servers, per request.",
    `The target is judged on HTTP/3 with its default datagrams (1,350 bytes, what a path on the Internet carries); the last row gives both ends ${LOOPBACK_DATAGRAM_SIZE / 1024} KiB datagrams, which loopback carries, to show what the count of packets costs (TCP on loopback moves 64 KiB segments).`,
  );
  return {
    title: TITLE,
    tables: [{ caption: `Requests per second, ${IN_FLIGHT} in flight, median of ${config.rounds} round(s) of ${(config.measureMs * 3) / 1000} s windows; the last column is the ratio to wstack over HTTP/2`, head: ['subject', 'GET', 'requests/s', 'server CPU µs/request', '÷ wstack h2'], rows }],
    notes,
    targets,
    chart: { title: 'Requests/s ÷ wstack h2', bars: rows.map((row) => ({ label: `${row[0]} ${row[1]}`, value: Number.parseFloat(row[4]!) })), higherIsBetter: true },
  };
}

/** Keeps IN_FLIGHT requests going for `ms`; the count of requests completed. */
async function load(fetch: Fetch, path: string, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (performance.now() < end) {
      await fetch(path);
      done++;
    }
  }));
  return done;
}
