/**
 * `wstack serve --workers N`: the primary process forks the workers, which
 * run `serve` themselves with the port and certificate it chose (so every
 * worker presents the same one), and topics span them: through this process
 * (relayWorkerTopics), or through Redis with --redis.
 */
import cluster, { type Worker } from 'node:cluster';
import { createSocket } from 'node:dgram';
import { createServer as createTcpServer } from 'node:net';
import { canSharePort } from '@wstack/core';
import { relayWorkerTopics } from '../workers/primary-relay.js';

/** What the primary hands each worker, in its environment. */
export interface WorkerSettings {
  index: number;
  port: number;
  tls?: { cert: string; key: string };
}

export const WORKER_ENV = 'WSTACK_SERVE_WORKER';

/** This process's settings when it is a worker of `serve --workers`. */
export function workerSettings(): WorkerSettings | undefined {
  const json = cluster.isWorker ? process.env[WORKER_ENV] : undefined;
  return json === undefined ? undefined : (JSON.parse(json) as WorkerSettings);
}

/** What a worker reports once it listens. */
export interface WorkerListening {
  type: 'wstack:listening';
  url: string;
  transports: string[];
  http3Unavailable?: string;
}

export interface PrimaryPlan {
  workers: number;
  port: number;
  host: string;
  tls?: { cert: string; key: string };
  redis: boolean;
  http3: boolean;
}

/** Forks the workers, waits until each listens, and returns the function that stops them all gracefully. */
export async function servePrimary(plan: PrimaryPlan, log: (line: string) => void): Promise<() => Promise<void>> {
  // Topics through this process unless Redis carries them; either way the channel carries bytes.
  if (!plan.redis) relayWorkerTopics();
  else cluster.setupPrimary({ serialization: 'advanced' });
  const port = plan.port !== 0 ? plan.port : await portFreeOnBoth(plan.host);
  const workers: Worker[] = [];
  const listening: Promise<WorkerListening>[] = [];
  let stopping = false;
  for (let index = 1; index <= plan.workers; index++) {
    const settings: WorkerSettings = { index, port, ...(plan.tls ? { tls: plan.tls } : {}) };
    const worker = cluster.fork({ [WORKER_ENV]: JSON.stringify(settings) });
    workers.push(worker);
    listening.push(
      new Promise((resolve, reject) => {
        worker.on('message', (message: { type?: string }) => message?.type === 'wstack:listening' && resolve(message as WorkerListening));
        worker.once('exit', (code) => reject(new Error(`worker ${index} exited (${code}) before it listened`)));
      }),
    );
    worker.once('exit', (code, signal) => {
      if (!stopping) log(`worker ${index} (pid ${worker.process.pid}) exited (${signal ?? code}); the others go on`);
    });
  }
  let reports: WorkerListening[];
  try {
    reports = await Promise.all(listening);
  } catch (error) {
    stopping = true;
    for (const worker of workers) worker.kill();
    throw error;
  }
  const first = reports[0]!;
  if (first.http3Unavailable) log(`no HTTP/3: ${first.http3Unavailable}`);
  else if (plan.http3 && !canSharePort()) log(`HTTP/3 in worker 1 only: Node ${process.version} cannot share a UDP port among processes (reusePort needs Node 22.12 or later)`);
  log(`listening on ${first.url} (${first.transports.join(', ')}) with ${plan.workers} worker${plan.workers === 1 ? '' : 's'}; topics through ${plan.redis ? 'Redis' : 'this process'}`);
  return async () => {
    stopping = true;
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once('exit', () => resolve());
            if (worker.isConnected()) worker.send({ type: 'wstack:stop' });
            else worker.kill();
          }),
      ),
    );
    log(`stopped ${plan.workers} worker${plan.workers === 1 ? '' : 's'}`);
  };
}

/** A port number free on TCP and UDP alike, as the kernel picks one. */
async function portFreeOnBoth(host: string): Promise<number> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const tcp = createTcpServer();
    const port = await new Promise<number>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, host, () => resolve((tcp.address() as { port: number }).port));
    });
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const free = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    if (free) udp.close();
    await new Promise((resolve) => tcp.close(resolve));
    if (free) return port;
  }
  throw new Error('no port free on both TCP and UDP after 10 tries');
}
