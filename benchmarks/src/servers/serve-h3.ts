/**
 * The HTTP/3 servers of the suite, on a fresh development certificate:
 * wstack's, and the raw @matrixai/quic stream echo that is its floor.
 */
import { createDevCert } from '@wstack/core/dev-cert';
import type { WebSocketConnection } from '@wstack/core';
import { loadHttp3, loadQuic, rawQuicConfig, type QuicConnection, type QuicStream } from '../lib/http3-module.js';
import { LengthPrefixReader } from './length-prefix.js';

/** Starts the server; the certificate's fingerprint goes to the parent, which pins it. */
export async function startH3(kind: 'wstack-h3' | 'raw-quic', serve: (connection: WebSocketConnection) => void): Promise<{ port: number; detail: string }> {
  if (kind === 'raw-quic') return startRawQuic();
  const http3 = await loadHttp3();
  if (typeof http3 === 'string') throw new Error(http3);
  const cert = createDevCert();
  const server = new http3.WebSocketServer({ handler: serve, maxMessageSize: 128 * 1024 * 1024 });
  const { port } = await server.listen({ port: 0, tls: { cert: cert.cert, key: cert.key } });
  return { port, detail: cert.fingerprint256 };
}

/**
 * A plain QUIC server that echoes length-prefixed messages on each bidi
 * stream the client opens: no HTTP/3, no WebSocket framing. Echo mode only
 * (section 5 is its one user).
 */
async function startRawQuic(): Promise<{ port: number; detail: string }> {
  const loaded = await loadQuic();
  if (typeof loaded === 'string') throw new Error(loaded);
  const { quic } = loaded;
  const cert = createDevCert();
  // As @wstack/http3's server makes it (server.ts): its settings, crypto ops and logger.
  const server = new quic.QUICServer({
    crypto: loaded.serverCrypto(),
    config: { ...rawQuicConfig(loaded), cert: cert.cert, key: cert.key, verifyPeer: false },
    logger: loaded.silentLogger,
  });
  // Peer streams are taken on each connection, as wstack does (README quirk V); a listener must not throw (quirks L, M).
  server.addEventListener(quic.events.EventQUICServerConnection.name, (event: Event) => {
    const connection = (event as unknown as { detail: QuicConnection }).detail;
    connection.addEventListener(quic.events.EventQUICConnectionStream.name, (streamEvent: Event) => {
      void echoStream((streamEvent as unknown as { detail: QuicStream }).detail);
    });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  return { port: server.port, detail: cert.fingerprint256 };
}

async function echoStream(stream: QuicStream): Promise<void> {
  if (stream.type !== 'bidi') return cancel(stream);
  const reader = stream.readable.getReader();
  const writer = stream.writable.getWriter();
  writer.closed.catch(() => undefined);
  const messages = new LengthPrefixReader();
  const echo = (frame: Buffer) => void writer.write(frame).catch(() => undefined);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // The echo is a view of the chunk: the library copies each read into a buffer of its own.
      messages.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength), echo);
    }
    await writer.close();
  } catch {
    // A reset from the client (its close at the end of the section) or the connection's end.
    cancel(stream);
  }
}

function cancel(stream: QuicStream): void {
  try {
    stream.cancel();
  } catch {
    // quiche has already collected the stream.
  }
}
