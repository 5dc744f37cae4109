/**
 * The load generators' clients. Every WebSocket server is driven by the same
 * client library (`ws`, with bufferutil); the raw floors by a plain socket
 * speaking the length-prefixed framing. Each client has one message in
 * flight at a time.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { WebSocket } from 'ws';
import type { WebSocketConnection } from '@wstack/core';
import { connect as h2WebSocket, DEFAULT_CONNECTION_WINDOW_SIZE, DEFAULT_STREAM_WINDOW_SIZE, SessionPool } from '@wstack/http2';
import { LengthPrefixReader, lengthPrefixed } from '../servers/length-prefix.js';
import { loadQuic, rawQuicConfig, type QuicClient, type QuicStream } from './http3-module.js';

export interface EchoClient {
  /** Sends one message; `reply` is called when its echo is back. */
  send(payload: Buffer | string, binary: boolean): void;
  close(): void;
}

export type Reply = () => void;

export function wsClient(port: number, reply: Reply): Promise<EchoClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false, maxPayload: 0 });
  ws.on('message', reply);
  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      resolve({ send: (payload, binary) => ws.send(payload, { binary }), close: () => ws.terminate() });
    });
  });
}

export function rawTcpClient(port: number, reply: Reply): Promise<EchoClient> {
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const reader = new LengthPrefixReader();
  socket.on('data', (chunk: Buffer) => reader.push(chunk, reply));
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.on('error', () => {});
      resolve({
        send: (payload) => socket.write(lengthPrefixed(typeof payload === 'string' ? Buffer.from(payload) : payload)),
        close: () => socket.destroy(),
      });
    });
  });
}

/** WebSockets over one HTTP/2 session (the pool puts every stream on one), with wstack's client. */
export function wstackH2Client(pool: SessionPool) {
  return async (port: number, reply: Reply): Promise<EchoClient> => {
    const connection: WebSocketConnection = await h2WebSocket(`ws://127.0.0.1:${port}/`, { pool, maxMessageSize: 128 * 1024 * 1024 });
    connection.on('message', reply);
    connection.on('error', () => {});
    return { send: (payload, binary) => connection.send(payload, { binary }), close: () => connection.terminate() };
  };
}

/** Plain node:http2 streams on one session, length-prefixed. */
export function rawH2Client(sessions: Map<number, ClientHttp2Session>) {
  return async (port: number, reply: Reply): Promise<EchoClient> => {
    let session = sessions.get(port);
    if (session === undefined) {
      // The windows wstack's client uses, so that flow control is no difference between them.
      session = h2Connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: DEFAULT_STREAM_WINDOW_SIZE } });
      session.on('error', () => {});
      const opened = session;
      session.once('connect', () => opened.setLocalWindowSize(DEFAULT_CONNECTION_WINDOW_SIZE));
      sessions.set(port, session);
    }
    const stream = session.request({ ':method': 'POST', ':path': '/echo' }, { endStream: false });
    const reader = new LengthPrefixReader();
    stream.on('data', (chunk: Buffer) => reader.push(chunk, reply));
    stream.on('error', () => {});
    await new Promise<void>((resolve) => stream.once('response', () => resolve()));
    return {
      send: (payload) => stream.write(lengthPrefixed(typeof payload === 'string' ? Buffer.from(payload) : payload)),
      close: () => stream.close(),
    };
  };
}

/**
 * Plain @matrixai/quic bidi streams on one QUIC connection per port,
 * length-prefixed. The map holds the connection's promise, since the pool
 * opens its clients in parallel; the caller destroys the connections.
 */
export function rawQuicClient(connections: Map<number, Promise<QuicClient>>, fingerprint: string) {
  return async (port: number, reply: Reply): Promise<EchoClient> => {
    let client = connections.get(port);
    if (client === undefined) {
      client = dialQuic(port, fingerprint);
      connections.set(port, client);
    }
    const stream = (await client).connection.newStream('bidi');
    const writer = stream.writable.getWriter();
    writer.closed.catch(() => {});
    void readQuic(stream, reply);
    // The server learns of the stream from its first bytes: there is no answer to wait for.
    return {
      send: (payload) => void writer.write(lengthPrefixed(typeof payload === 'string' ? Buffer.from(payload) : payload)).catch(() => {}),
      close: () => {
        try {
          stream.cancel();
        } catch {
          // quiche has already collected the stream.
        }
      },
    };
  };
}

/** As @wstack/http3's pool dials (session-pool.ts): its settings and crypto ops, the pin checked in verifyCallback. */
async function dialQuic(port: number, fingerprint: string): Promise<QuicClient> {
  const loaded = await loadQuic();
  if (typeof loaded === 'string') throw new Error(loaded);
  const { BadCertificate } = loaded.quic.native.CryptoError;
  const pinned = (certs: Uint8Array[]) => certs[0] !== undefined && createHash('sha256').update(certs[0]).digest('hex') === fingerprint;
  return loaded.quic.QUICClient.createQUICClient({
    host: '127.0.0.1',
    port,
    serverName: '127.0.0.1',
    localHost: '0.0.0.0',
    crypto: loaded.clientCrypto,
    config: { ...rawQuicConfig(loaded), verifyPeer: true, verifyCallback: async (certs: Uint8Array[]) => (pinned(certs) ? undefined : BadCertificate) },
    logger: loaded.silentLogger,
  });
}

async function readQuic(stream: QuicStream, reply: Reply): Promise<void> {
  const chunks = stream.readable.getReader();
  const reader = new LengthPrefixReader();
  try {
    for (;;) {
      const { value, done } = await chunks.read();
      if (done) return;
      reader.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength), reply);
    }
  } catch {
    // Our own cancel, or the connection's end.
  }
}

export { SessionPool };
