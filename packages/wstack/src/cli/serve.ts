/** `wstack serve`: a WebSocket server that echoes, with a line per WebSocket event. */
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { canSharePort, RelayedTopics, Topics, type TopicsLike, type WebSocketConnection } from '@wstack/core';
import { createDevCert, spkiSha256 } from '@wstack/dev-cert';
import { createServer, type Server } from '../server.js';
import { workerTopics } from '../workers/worker-topics.js';
import { staticFiles } from '../static-files.js';
import { HELP, parsed, port, UsageFailure } from './args.js';
import { readKeyPair } from './files.js';
import { servePrimary, workerSettings, type WorkerListening } from './serve-workers.js';

export const SERVE_USAGE = `Usage: wstack serve [--port N] [--host H] [--no-tls | --cert FILE --key FILE] [--static DIR] [--no-deflate] [--no-h1] [--no-h2] [--no-h3]
                    [--workers N] [--redis URL]

Serves WebSockets on any path — over HTTP/1.1 and HTTP/2 on a TCP port, and
with TLS over HTTP/3 on UDP at the same port number — echoes every message
back, and prints a line per WebSocket event. A WebSocket on /topics/NAME
joins topic NAME instead: what it sends reaches every other WebSocket on that
path, in every worker, and on every machine that shares --redis.
  ws open <transport> <path>
  ws close <transport> <path> <code>

  --port N       port to listen on (default 8443, or 8080 with --no-tls; 0 picks a free one)
  --host H       address to listen on (default 127.0.0.1)
  --no-tls       plain ws:// (HTTP/1.1, and h2c with prior knowledge; no HTTP/3) instead of wss://
  --cert, --key  PEM files for TLS; without them a development certificate is made
  --static DIR   answer ordinary GET and HEAD requests with the files under DIR (HTTP/1.1, HTTP/2, HTTP/3)
  --no-deflate   decline permessage-deflate (accepted by default)
  --no-h1        do not serve WebSockets over HTTP/1.1 (RFC 6455)
  --no-h2        do not serve WebSockets over HTTP/2 (RFC 8441)
  --no-h3        do not serve WebSockets over HTTP/3 (RFC 9220)
  --workers N    N processes on the port (0: one per core); topics span them through this process
  --redis URL    topics through Redis (redis://host:port; needs @wstack/redis), across workers and machines`;

export async function serve(args: string[], log: (line: string) => void): Promise<() => Promise<void>> {
  const { values } = parsed(() => parseArgs({ args, strict: true, options: { ...HELP,
    port: { type: 'string' },
    host: { type: 'string' },
    'no-tls': { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
    static: { type: 'string' },
    'no-deflate': { type: 'boolean' },
    'no-h1': { type: 'boolean' },
    'no-h2': { type: 'boolean' },
    'no-h3': { type: 'boolean' },
    workers: { type: 'string' },
    redis: { type: 'string' },
  } }), 'serve');
  if (values.help) {
    log(SERVE_USAGE);
    return async () => undefined;
  }
  const plain = values['no-tls'] === true;
  if (plain && (values.cert || values.key)) throw new UsageFailure('--no-tls and --cert/--key exclude each other');
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageFailure('--cert and --key go together');
  if (values['no-h1'] && values['no-h2'] && (plain || values['no-h3'])) throw new UsageFailure('--no-h1, --no-h2 and --no-h3 (or --no-tls) leave no transport to serve');
  const workers = workerCount(values.workers);
  const worker = workerSettings();
  if (worker) {
    const print = log;
    log = (line) => print(`[worker ${worker.index}] ${line}`);
  }
  const host = values.host ?? '127.0.0.1';
  const listenPort = worker?.port ?? port(values.port, plain ? 8080 : 8443);
  let tls = worker ? worker.tls : values.cert !== undefined ? readKeyPair(values.cert, values.key!) : undefined;
  if (workers !== undefined && cluster.isPrimary) {
    // One certificate for every worker: a browser pins one.
    if (tls === undefined && !plain) {
      const devCert = createDevCert();
      tls = { cert: devCert.cert, key: devCert.key };
      log(`development certificate: SPKI sha256 ${devCert.spkiSha256}`);
    } else if (tls) log(`certificate: SPKI sha256 ${spkiSha256(tls.cert)}`);
    return servePrimary({ workers, port: listenPort, host, ...(tls ? { tls: { cert: String(tls.cert), key: String(tls.key) } } : {}), redis: values.redis !== undefined, http3: !plain && !values['no-h3'] }, log);
  }
  const topics: TopicsLike = values.redis !== undefined ? await redisTopicsAt(values.redis) : worker ? workerTopics() : new Topics();
  const request = values.static === undefined ? undefined : staticFiles(values.static);
  // In a worker, HTTP/3 where the UDP port can be shared, else in the first worker alone.
  const http3Here = !worker || canSharePort() || worker.index === 1;
  const server: Server<TopicsLike> = await createServer({
    ...(request ? { request } : {}),
    port: listenPort,
    host,
    ...(tls ? { tls } : { devCert: !plain }),
    http1: values['no-h1'] !== true,
    http2: values['no-h2'] !== true,
    // Asked for by default with TLS, so that a platform without QUIC says why (below) rather than failing.
    ...(values['no-h3'] || !http3Here ? { http3: false } : {}),
    ...(worker && canSharePort() ? { reusePort: true } : {}),
    perMessageDeflate: values['no-deflate'] !== true,
    topics,
    handler(connection, request) {
      const { transport } = connection;
      log(`ws open ${transport} ${request.path}${connection.extensions ? ` (${connection.extensions})` : ''}`);
      const topic = request.pathname.startsWith('/topics/') ? decodeURIComponent(request.pathname.slice('/topics/'.length)) : undefined;
      if (topic) joinTopic(connection, topic, server, log);
      else
        connection.on('message', (data, binary) => {
          if (connection.readyState === 1) connection.send(data, { binary });
        });
      connection.on('close', ({ code }) => log(`ws close ${transport} ${request.path} ${code}`));
    },
  });
  if (worker) {
    process.on('message', (message: { type?: string }) => message?.type === 'wstack:stop' && process.kill(process.pid, 'SIGTERM'));
    process.send!({ type: 'wstack:listening', url: server.url, transports: [...server.transports], ...(server.http3Unavailable ? { http3Unavailable: server.http3Unavailable.message } : {}) } satisfies WorkerListening);
  } else {
    if (server.devCert) log(`development certificate: SPKI sha256 ${server.devCert.spkiSha256}`);
    else if (tls) log(`certificate: SPKI sha256 ${spkiSha256(tls.cert)}`);
    if (server.http3Unavailable) log(`no HTTP/3: ${server.http3Unavailable.message}`);
    log(`listening on ${server.url} (${server.transports.join(', ')})`);
  }
  return async () => {
    const { closed, terminated } = await server.close();
    if (topics instanceof RelayedTopics) await topics.close();
    log(`closed ${closed} WebSocket${closed === 1 ? '' : 's'}${terminated ? `; terminated ${terminated} still open after 10 s` : ''}`);
  };
}

function workerCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 1024) throw new UsageFailure(`--workers must be a number from 0 (one per core) to 1024, not ${JSON.stringify(value)}`);
  return count === 0 ? availableParallelism() : count;
}

/** A WebSocket of topic NAME: subscribed to it, and what it sends is published to the others. */
function joinTopic(connection: WebSocketConnection, topic: string, server: Server<TopicsLike>, log: (line: string) => void): void {
  connection.subscribe(topic);
  connection.on('message', (data, binary) => {
    Promise.resolve(server.publish(topic, data, { binary, except: connection })).catch((error: Error) => log(`publish to ${topic} failed: ${error.message}`));
  });
}

/** @wstack/redis is a package of its own (it brings a Redis client): loaded only for --redis. */
async function redisTopicsAt(url: string): Promise<TopicsLike> {
  const name = '@wstack/redis';
  let module: { redisTopics(options: { url: string }): Promise<TopicsLike> };
  try {
    module = (await import(name)) as typeof module;
  } catch {
    throw new UsageFailure('--redis needs the package @wstack/redis: npm install @wstack/redis');
  }
  return module.redisTopics({ url });
}
