/**
 * Section 5, many WebSockets over HTTP/3: 1,000 of them on 100 QUIC
 * connections (10 each: one SessionPool per QUIC connection), opened at
 * once, each echoing one message, then closed; and the server's memory per
 * idle WebSocket while they are open, measured as section 4 measures it
 * (full GCs before and after, V8's one-off young-generation growth left
 * out of RSS). Each run uses a fresh server child.
 */
import type { WebSocketConnection } from '@wstack/core';
import type { RunConfig } from '../lib/config.js';
import { count, fixed, sleep } from '../lib/format.js';
import type { Http3Module, Http3SessionPool } from '../lib/http3-module.js';
import { step } from '../lib/progress.js';
import type { Table } from '../lib/report-types.js';
import { ServerChild } from '../lib/server-child.js';
import type { H3Detail } from '../servers/serve-h3.js';

const WEBSOCKETS = 1000;
const PER_CONNECTION = 10;
/** How long each phase may take before what is left counts as failed. */
const PHASE_LIMIT_MS = 20_000;

interface Run {
  opened: number;
  quicConnections: number;
  openMs: number;
  echoed: number;
  echoMs: number;
  closedCleanly: number;
  closeMs: number;
  /** WebSockets the server still held after the closes (it should be none). */
  serverLeft: number;
  /** Why the failed ones failed: each distinct reason with its count, by phase. */
  failures: string[];
  rssPerWebSocket: number;
  heapPerWebSocket: number;
  externalPerWebSocket: number;
  youngGrowthMB: number;
}

/**
 * How many of the promises succeeded, in how long, and why the others
 * failed (each distinct reason with its count); after PHASE_LIMIT_MS the
 * ones still pending count as failed.
 */
async function within<T>(promises: Promise<T>[]): Promise<{ ok: number; ms: number; failures: Map<string, number> }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = { status: 'rejected', reason: new Error(`not settled within ${PHASE_LIMIT_MS} ms`) } as const;
  const limit = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), PHASE_LIMIT_MS)));
  const settled = await Promise.race([Promise.allSettled(promises), limit]);
  clearTimeout(timer);
  const ms = performance.now() - started;
  const results: PromiseSettledResult<T>[] = settled === 'late' ? promises.map(() => late) : settled;
  const failures = new Map<string, number>();
  for (const result of results) {
    if (result.status === 'fulfilled') continue;
    const reason = String((result.reason as Error)?.message ?? result.reason);
    failures.set(reason, (failures.get(reason) ?? 0) + 1);
  }
  return { ok: results.length - [...failures.values()].reduce((a, b) => a + b, 0), ms, failures };
}

/** One message and its echo. */
function echoOnce(connection: WebSocketConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.once('message', () => resolve());
    connection.once('close', () => reject(new Error('closed before the echo')));
    connection.send(Buffer.alloc(16, 0x78), { binary: true });
  });
}

/** A normal close (1000), resolved when the closing handshake completed cleanly. */
function closeCleanly(connection: WebSocketConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.once('close', (details) => (details.wasClean ? resolve() : reject(new Error('not clean'))));
    connection.close(1000);
  });
}

async function once(http3: Http3Module): Promise<Run> {
  const server = await ServerChild.start('wstack-h3', 'echo');
  const pools: Http3SessionPool[] = Array.from({ length: WEBSOCKETS / PER_CONNECTION }, () => new http3.SessionPool());
  const connections: WebSocketConnection[] = [];
  try {
    const { pin, h3Port } = JSON.parse(server.detail ?? '{}') as H3Detail;
    const before = await server.stats(true);
    step(`${count(WEBSOCKETS)} HTTP/3 WebSockets: opening`);
    const opening = Array.from({ length: WEBSOCKETS }, (_, i) =>
      http3.connect(`wss://127.0.0.1:${h3Port}/`, { tls: { pin }, pool: pools[Math.floor(i / PER_CONNECTION)]! }).then((connection) => {
        connection.on('error', () => {});
        connections.push(connection);
        return connection;
      }),
    );
    const open = await within(opening);
    const quicConnections = pools.reduce((sum, pool) => sum + pool.sessionCount, 0);
    // The server's side of the last handshakes may trail the clients' by a turn or two.
    for (let i = 0; i < 100 && (await server.stats()).connections < connections.length; i++) await sleep(50);
    await sleep(200);
    const after = await server.stats(true);
    const youngGrowth = after.newSpace - before.newSpace;
    const held = after.connections;
    step(`${count(WEBSOCKETS)} HTTP/3 WebSockets: echo`);
    const echo = await within(connections.map(echoOnce));
    step(`${count(WEBSOCKETS)} HTTP/3 WebSockets: closing`);
    const close = await within(connections.map(closeCleanly));
    let left = (await server.stats()).connections;
    for (let i = 0; i < 100 && left > 0; i++) {
      await sleep(50);
      left = (await server.stats()).connections;
    }
    return {
      opened: open.ok,
      quicConnections,
      openMs: open.ms,
      echoed: echo.ok,
      echoMs: echo.ms,
      closedCleanly: close.ok,
      closeMs: close.ms,
      serverLeft: left,
      failures: Object.entries({ open, echo, close }).flatMap(([phase, { failures }]) => [...failures].map(([reason, n]) => `${phase}: ${n} × ${reason}`)),
      rssPerWebSocket: (after.rss - before.rss - youngGrowth) / held,
      heapPerWebSocket: (after.heapUsed - before.heapUsed) / held,
      externalPerWebSocket: (after.external - before.external) / held,
      youngGrowthMB: youngGrowth / 1e6,
    };
  } finally {
    for (const connection of connections) connection.terminate();
    for (const pool of pools) pool.close();
    await server.stop();
  }
}

export async function http3Scale(config: RunConfig, http3: Http3Module): Promise<{ table: Table; notes: string[] }> {
  const runs: Run[] = [];
  for (let i = 0, n = config.quick ? 1 : 3; i < n; i++) runs.push(await once(http3));
  const kb = (bytes: number) => fixed(bytes / 1000, 2);
  const seconds = (ms: number) => fixed(ms / 1000, 2);
  const rows = runs.map((r, i) => [
    String(i + 1), `${count(r.opened)} / ${count(WEBSOCKETS)}`, count(r.quicConnections), seconds(r.openMs),
    `${count(r.echoed)} / ${count(r.opened)}`, seconds(r.echoMs), `${count(r.closedCleanly)} / ${count(r.opened)}`, seconds(r.closeMs), count(r.serverLeft),
    kb(r.rssPerWebSocket), kb(r.heapPerWebSocket), kb(r.externalPerWebSocket), fixed(r.youngGrowthMB, 1),
  ]);
  const succeeded = runs.every((r) => r.opened === WEBSOCKETS && r.echoed === WEBSOCKETS && r.closedCleanly === WEBSOCKETS && r.serverLeft === 0);
  const failures = runs.flatMap((r, i) => r.failures.map((f) => `run ${i + 1}, ${f}`));
  const byRss = [...runs].sort((a, b) => a.rssPerWebSocket - b.rssPerWebSocket);
  const median = byRss[(runs.length - 1) >> 1]!;
  return {
    table: {
      caption: `${count(WEBSOCKETS)} WebSockets over HTTP/3 on ${WEBSOCKETS / PER_CONNECTION} QUIC connections (${PER_CONNECTION} per connection, one SessionPool each, wstack's client, default transport settings), all opened at once, then each echoes one 16 B message, then each closes with 1000 and waits for the closing handshake; a fresh server child per run. Memory: the server's, after full GCs, before the WebSockets and with all of them open and idle (before the echo), per WebSocket, so each WebSocket's figure holds a tenth of a QUIC connection; RSS leaves out the growth of V8's young generation (shown apart), as section 4 does; KB = 1000 bytes`,
      head: ['run', 'opened', 'QUIC connections', 'open s', 'echoed', 'echo s', 'closed cleanly', 'close s', 'server WebSockets left', 'RSS KB/WebSocket', 'heap KB/WebSocket', 'external KB/WebSocket', 'young generation growth MB'],
      rows,
    },
    notes: [
      `${count(WEBSOCKETS)} HTTP/3 WebSockets: ${succeeded ? 'every WebSocket opened, echoed and closed cleanly in every run' : `NOT every WebSocket opened, echoed and closed cleanly (${failures.join('; ') || 'the server kept some'})`}; memory per idle HTTP/3 WebSocket (the ${runs.length === 1 ? 'one run' : `median run of ${runs.length}, by RSS`}): ${kb(median.rssPerWebSocket)} KB RSS, ${kb(median.heapPerWebSocket)} KB heap.`,
    ],
  };
}
