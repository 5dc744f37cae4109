/**
 * The servers of the requests section, in one child process: wstack's
 * createServer with a node:http request listener (HTTP/1.1 and HTTP/2 on
 * TCP, HTTP/3 on UDP at the same number), and the raw floors beside it — a
 * node:http2 server answering on its 'stream' event and a node:https
 * server with the same listener. Tells its ports and certificate pin over
 * IPC; answers 'cpu' with its CPU time so far, and exits on 'stop'.
 */
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDevCert } from '@wstack/dev-cert';
import { createServer } from 'wstack';
import { WebSocketServer as Http3Server } from '@wstack/http3';
import { LOOPBACK_DATAGRAM_SIZE } from './serve-h3.js';

export interface RequestServers {
  pin: string;
  /** wstack: TCP (HTTP/1.1, HTTP/2) and UDP (HTTP/3) at this number. */
  wstack: number;
  rawH2: number;
  rawH1: number;
  /** The same listener over HTTP/3 with datagrams of LOOPBACK_DATAGRAM_SIZE (UDP). */
  h3Loopback: number;
}

export const SMALL = Buffer.from('hello, world\n');
export const LARGE = Buffer.alloc(64 * 1024, 0x61);

const bodyFor = (path: string | undefined) => (path === '/64k' ? LARGE : SMALL);

function listener(request: IncomingMessage, response: ServerResponse): void {
  const body = bodyFor(request.url);
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  response.end(body);
}

async function start(): Promise<RequestServers> {
  const cert = createDevCert();
  const tls = { cert: cert.cert, key: cert.key };
  const server = await createServer({ tls, http3: true, request: listener });
  const rawH2 = createSecureServer(tls, undefined);
  rawH2.on('stream', (stream: ServerHttp2Stream, headers) => {
    const body = bodyFor(headers[':path']);
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': body.length });
    stream.end(body);
  });
  const rawH1 = createHttpsServer(tls, listener);
  // What the datagram size costs: loopback carries far larger datagrams than a path on the Internet (1,350 bytes by default).
  const loopback = new Http3Server({ handler: () => undefined, maxUdpPayloadSize: LOOPBACK_DATAGRAM_SIZE });
  const { port: h3Loopback } = await loopback.listen({ port: 0, tls, request: listener });
  await Promise.all([rawH2, rawH1].map((raw) => new Promise<void>((resolve, reject) => raw.once('error', reject).listen(0, '127.0.0.1', resolve))));
  return { pin: cert.fingerprint256, wstack: server.address.port, rawH2: (rawH2.address() as AddressInfo).port, rawH1: (rawH1.address() as AddressInfo).port, h3Loopback };
}

if (process.send) {
  const servers = await start();
  process.on('message', (message: { cmd: string }) => {
    if (message.cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'cpu', micros: user + system });
    } else if (message.cmd === 'stop') {
      // An exit of its own, so that a --cpu-prof profile is written.
      process.exit(0);
    }
  });
  process.send({ type: 'ready', servers });
}
