/**
 * Section 5, the cost of QUIC itself: the in-memory echo of
 * quiche-floor-worker.ts, beside wstack's CPU per message over HTTP/3.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../lib/config.js';
import type { EchoFigures } from '../lib/echo-load.js';
import { count, fixed, ratio, sizeName } from '../lib/format.js';
import { step } from '../lib/progress.js';
import type { Table } from '../lib/report-types.js';
import type { FloorFigures, FloorReply } from './quiche-floor-worker.js';

const worker = fileURLToPath(new URL('./quiche-floor-worker.js', import.meta.url));
const SIZES = [16, 1024, 65536];

/** The worker's figures, or the reason there are none. */
function runWorker(config: RunConfig): Promise<{ figures: FloorFigures[]; datagramSize: number } | string> {
  return new Promise((resolve) => {
    const child = fork(worker, [SIZES.join(','), String(config.measureMs), String(config.rounds)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let reply: FloorReply | undefined;
    // An echo that stalls throws in the worker; a worker that hangs all the same is stopped.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('message', (message: FloorReply) => (reply = message));
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (reply === undefined) resolve(`the quiche floor's process exited with ${code} and no figures`);
      else resolve('failed' in reply ? reply.failed : reply);
    });
  });
}

/**
 * The table: quiche's CPU per echo, both ends, against wstack's over
 * HTTP/3 (server and client CPU per message of the one-WebSocket cases,
 * which have the floor's shape: one stream, one message in flight).
 */
export async function quicheFloor(config: RunConfig, wstack: (size: number) => EchoFigures | undefined): Promise<Table | string> {
  step('quiche in memory');
  const floor = await runWorker(config);
  if (typeof floor === 'string') return floor;
  const rows = floor.figures.map((f) => {
    const ours = wstack(f.size);
    const both = ours === undefined ? NaN : ours.cpuMicrosPerMessage + ours.clientCpuMicrosPerMessage;
    return [
      sizeName(f.size), fixed(f.cpuMicrosPerEcho, 2), count(f.echoesPerSecond), fixed(f.packetsPerEcho, 1),
      fixed(ours?.cpuMicrosPerMessage ?? NaN, 2), fixed(ours?.clientCpuMicrosPerMessage ?? NaN, 2), fixed(both, 2), ratio(both / f.cpuMicrosPerEcho),
    ];
  });
  return {
    caption: `The cost of QUIC itself: a quiche client and server connection (the native binding @wstack/http3 loads, its configs and default transport settings, ${floor.datagramSize} B datagrams) in one process, packets handed over in memory, no socket; one message at a time echoed on bidi stream 0, read with streamRecv. CPU per echo is both ends together (the process's user + system time), as is wstack's sum beside it: its HTTP/3 server and client CPU per message in the 1-WebSocket cases above (a QUIC connection each, the same datagram size); median of ${config.rounds} window(s) of ${config.measureMs} ms`,
    head: ['size', 'quiche CPU µs/echo (both ends)', 'quiche echoes/s', 'quiche datagrams/echo', 'wstack h3 server CPU µs/msg', 'wstack h3 client CPU µs/msg', 'wstack h3 both ends µs/msg', 'wstack ÷ quiche'],
    rows,
  };
}
