/**
 * The load generators' clients. Every WebSocket server is driven by the same
 * client library (`ws`, with bufferutil); the raw floors by a plain socket
 * speaking the length-prefixed framing. Each client has one message in
 * flight at a time.
 */
import { connect as netConnect } from 'node:net';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { WebSocket } from 'ws';
import type { WebSocketConnection } from '@wstack/core';
import { connect as h2WebSocket, DEFAULT_CONNECTION_WINDOW_SIZE, DEFAULT_STREAM_WINDOW_SIZE, SessionPool } from '@wstack/http2';
import { LengthPrefixReader, lengthPrefixed } from '../servers/length-prefix.js';

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

export { SessionPool };
