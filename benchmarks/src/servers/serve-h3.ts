/**
 * The HTTP/3 servers of the suite, on a fresh development certificate.
 * `wstack-h3` is an HTTP/3 WebSocketServer alone; `wstack-h1h3` is one
 * process serving HTTP/1.1 and HTTP/3 side by side, so that section 5 can
 * compare the two carriers in one process, under the same CPU accounting.
 */
import { createDevCert } from '@wstack/dev-cert';
import type { WebSocketConnection } from '@wstack/core';
import { WebSocketServer as Http1Server } from '@wstack/http1';
import { loadHttp3 } from '../lib/http3-module.js';

/** Datagrams as large as a loopback path carries comfortably: fewer of them per message (each costs a system call and a packet's crypto). */
export const LOOPBACK_DATAGRAM_SIZE = 16 * 1024;

/** What the server tells its clients (ServerChild's `detail`, as JSON). */
export interface H3Detail {
  /** SHA-256 of the certificate, which the clients pin. */
  pin: string;
  /** The HTTP/3 server with the default datagram size. */
  h3Port: number;
  /** The HTTP/3 server with LOOPBACK_DATAGRAM_SIZE datagrams (wstack-h1h3 only). */
  h3LoopbackPort?: number;
}

const MAX_MESSAGE = 128 * 1024 * 1024;

/** Starts the server(s); the port is the HTTP/1.1 server's for wstack-h1h3, the HTTP/3 server's for wstack-h3. */
export async function startH3(kind: 'wstack-h3' | 'wstack-h1h3', serve: (connection: WebSocketConnection) => void): Promise<{ port: number; detail: string }> {
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') throw new Error(http3);
  const cert = createDevCert();
  const tls = { cert: cert.cert, key: cert.key };
  const h3 = new http3.WebSocketServer({ handler: serve, maxMessageSize: MAX_MESSAGE });
  if (kind === 'wstack-h3') {
    const { port } = await h3.listen({ port: 0, tls });
    return { port, detail: JSON.stringify({ pin: cert.fingerprint256, h3Port: port } satisfies H3Detail) };
  }
  const h1 = new Http1Server({ handler: serve, maxMessageSize: MAX_MESSAGE });
  const { port } = await h1.listen({ port: 0 });
  // The HTTP/1.1 server's port number, as a deployment would announce it (Alt-Svc); UDP is a separate space, but a client socket may hold that number.
  const { port: h3Port } = await h3.listen({ port, tls }).catch(() => h3.listen({ port: 0, tls }));
  const loopback = new http3.WebSocketServer({ handler: serve, maxMessageSize: MAX_MESSAGE, maxUdpPayloadSize: LOOPBACK_DATAGRAM_SIZE });
  const { port: h3LoopbackPort } = await loopback.listen({ port: 0, tls });
  return { port, detail: JSON.stringify({ pin: cert.fingerprint256, h3Port, h3LoopbackPort } satisfies H3Detail) };
}
