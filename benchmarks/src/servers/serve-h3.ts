/** The HTTP/3 servers of the suite: wstack's, on a fresh development certificate. */
import { createDevCert } from '@wstack/core/dev-cert';
import type { WebSocketConnection } from '@wstack/core';
import { loadHttp3 } from '../lib/http3-module.js';

/** Starts the server; the certificate's fingerprint goes to the parent, which pins it. */
export async function startH3(kind: 'wstack-h3' | 'raw-quic', serve: (connection: WebSocketConnection) => void): Promise<{ port: number; detail: string }> {
  if (kind === 'raw-quic') throw new Error('the raw @matrixai/quic stream echo is not written yet');
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') throw new Error(http3);
  const cert = createDevCert();
  const server = new http3.WebSocketServer({ handler: serve, maxMessageSize: 128 * 1024 * 1024 });
  const { port } = await server.listen({ port: 0, tls: { cert: cert.cert, key: cert.key } });
  return { port, detail: cert.fingerprint256 };
}
