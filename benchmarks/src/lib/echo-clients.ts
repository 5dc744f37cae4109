/**
 * The load generators' clients: `ws` (with bufferutil) for the comparisons
 * between WebSocket servers, wstack's own clients where HTTP versions are
 * compared, and a plain socket or stream speaking the length-prefixed
 * framing for the raw floors. Each client has one message in flight at a
 * time.
 */
import { connect as netConnect } from 'node:net';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { WebSocket } from 'ws';
import type { WebSocketConnection } from '@wstack/core';
import { connect as h1WebSocket } from '@wstack/http1';
import { connect as h2WebSocket, DEFAULT_CONNECTION_WINDOW_SIZE, DEFAULT_STREAM_WINDOW_SIZE, SessionPool } from '@wstack/http2';
import { LengthPrefixReader, lengthPrefixed } from '../servers/length-prefix.js';
import type { Http3Module, Http3SessionPool } from './http3-module.js';

export interface EchoClient {
  /** Sends one message; `reply` is called when its echo is back. */
  send(payload: Buffer | string, binary: boolean): void;
  close(): void;
}

export type Reply = () => void;

const MAX_MESSAGE = 128 * 1024 * 1024;

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
    return wrap(await h2WebSocket(`ws://127.0.0.1:${port}/`, { pool, maxMessageSize: MAX_MESSAGE }), reply);
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

/** WebSockets over HTTP/1.1 with wstack's own client. */
export async function wstackH1Client(port: number, reply: Reply): Promise<EchoClient> {
  return wrap(await h1WebSocket(`ws://127.0.0.1:${port}/`, { maxMessageSize: MAX_MESSAGE }), reply);
}

/**
 * WebSockets over HTTP/3 with wstack's own client, to the server at
 * `target` (its port and certificate pin). `pool` gives each new
 * WebSocket its SessionPool: a fresh one each time puts every WebSocket on
 * a QUIC connection of its own (as TCP does), one shared pool puts them all
 * on one. The pools close their connections with their last WebSocket.
 */
export function wstackH3Client(http3: Http3Module, target: { port: number; pin: string }, pool: () => Http3SessionPool) {
  return async (_port: number, reply: Reply): Promise<EchoClient> =>
    wrap(await http3.connect(`wss://127.0.0.1:${target.port}/`, { tls: { pin: target.pin }, pool: pool(), maxMessageSize: MAX_MESSAGE }), reply);
}

function wrap(connection: WebSocketConnection, reply: Reply): EchoClient {
  connection.on('message', reply);
  connection.on('error', () => {});
  return { send: (payload, binary) => connection.send(payload, { binary }), close: () => connection.terminate() };
}

export { SessionPool };
