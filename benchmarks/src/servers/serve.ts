/**
 * A server under test, in a child process of its own so that its CPU time
 * (process.cpuUsage) and memory are its alone. Usage:
 *
 *   node --expose-gc serve.js <kind> <mode>
 *
 * Answers the parent's IPC commands (see protocol.ts).
 */
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { getHeapSpaceStatistics } from 'node:v8';
import { createServer as createH2Server, type ServerHttp2Stream } from 'node:http2';
import { encodeFrame, Opcode } from '@wstack/protocol';
import { PreparedMessage, type WebSocketConnection } from '@wstack/core';
import { WebSocketServer as Http1Server } from '@wstack/http1';
import { DEFAULT_CONNECTION_WINDOW_SIZE, http2ServerOptions, WebSocketServer as Http2Server } from '@wstack/http2';
import { WebSocketServer as WsServer, type WebSocket } from 'ws';
import { LengthPrefixReader } from './length-prefix.js';
import type { Command, Reply, ServerKind, ServerMode } from './protocol.js';
import { startH3 } from './serve-h3.js';

const kind = process.argv[2] as ServerKind;
const mode = process.argv[3] as ServerMode;
let bytesIn = 0;
/** The live connections, by kind, for broadcast and counting. */
const wstackConnections = new Set<WebSocketConnection>();
const wsConnections = new Set<WebSocket>();
const sockets = new Set<Socket>();

const send = (reply: Reply) => process.send!(reply);

function serveWstack(connection: WebSocketConnection): void {
  wstackConnections.add(connection);
  connection.on('close', () => wstackConnections.delete(connection));
  if (mode === 'echo') connection.on('message', (data, binary) => connection.send(data, { binary }));
  else if (mode === 'sink') connection.on('message', (data) => (bytesIn += data.length));
  else connection.on('message', () => {});
}

async function start(): Promise<number | { port: number; detail: string }> {
  switch (kind) {
    case 'wstack-h1': {
      const server = new Http1Server({ handler: serveWstack, maxMessageSize: 128 * 1024 * 1024 });
      return (await server.listen({ port: 0 })).port;
    }
    case 'ws': {
      const server = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 128 * 1024 * 1024, clientTracking: false });
      server.on('connection', (ws) => {
        wsConnections.add(ws);
        ws.on('close', () => wsConnections.delete(ws));
        if (mode === 'echo') ws.on('message', (data: Buffer, isBinary) => ws.send(data, { binary: isBinary }));
        else if (mode === 'sink') ws.on('message', (data: Buffer) => (bytesIn += data.length));
      });
      await new Promise((resolve) => server.on('listening', resolve));
      return (server.address() as AddressInfo).port;
    }
    case 'raw-tcp':
    case 'raw-net': {
      const server = createNetServer((socket) => {
        sockets.add(socket);
        socket.setNoDelay(true);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
        if (kind === 'raw-net') return answerUpgrade(socket);
        if (mode === 'idle') return;
        if (mode === 'sink') {
          socket.on('data', (chunk: Buffer) => (bytesIn += chunk.length));
          return;
        }
        const reader = new LengthPrefixReader();
        const echo = (frame: Buffer) => socket.write(frame);
        socket.on('data', (chunk: Buffer) => reader.push(chunk, echo));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 511, resolve));
      return (server.address() as AddressInfo).port;
    }
    case 'wstack-h2': {
      const server = new Http2Server({ handler: serveWstack, maxMessageSize: 128 * 1024 * 1024 });
      return (await server.listen({ port: 0 })).port;
    }
    case 'raw-h2': {
      // The same settings and windows as wstack's HTTP/2 server, so that flow control is no difference between them.
      const server = createH2Server(http2ServerOptions());
      server.on('session', (session) => session.setLocalWindowSize(DEFAULT_CONNECTION_WINDOW_SIZE));
      server.on('stream', (stream: ServerHttp2Stream) => {
        stream.respond({ ':status': 200 });
        const reader = new LengthPrefixReader();
        const echo = (frame: Buffer) => stream.write(frame);
        stream.on('data', (chunk: Buffer) => reader.push(chunk, echo));
        stream.on('error', () => {});
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    }
    case 'wstack-h3':
    case 'wstack-h1h3':
      return startH3(kind, serveWstack);
  }
}

/**
 * The raw `net` server's side of the clients' handshake: a bare 101 status
 * line once the request is in, and nothing else (its sockets then carry
 * whatever the broadcast writes).
 */
function answerUpgrade(socket: Socket): void {
  socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\n\r\n'));
}

function stats(gc: boolean): Reply {
  if (gc && globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    type: 'stats',
    cpuMicros: cpu.user + cpu.system,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    newSpace: getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0,
    external: memory.external,
    connections: wstackConnections.size + wsConnections.size + sockets.size,
    bytesIn,
  };
}

/**
 * One message to every connection, `rounds` times: wstack frames it once per
 * round (PreparedMessage), ws per connection (its documented way), the raw
 * `net` server writes the same frame's bytes, made once, to each socket (no
 * WebSocket code at all: one socket.write per delivery). Back to back in one
 * tick, or `paced`: one round per turn of the event loop.
 */
function broadcast(rounds: number, size: number, paced: boolean): void {
  const payload = Buffer.alloc(size, 0x61);
  // The frame's bytes, made once here, outside the measured loop.
  const frame = Buffer.concat(encodeFrame(Opcode.BINARY, payload, { fin: true }));
  const before = process.cpuUsage();
  const started = performance.now();
  const round = () => {
    if (kind === 'wstack-h1') {
      const message = new PreparedMessage(payload, { binary: true });
      for (const connection of wstackConnections) connection.send(message);
    } else if (kind === 'raw-net') {
      for (const socket of sockets) socket.write(frame);
    } else {
      for (const ws of wsConnections) ws.send(payload, { binary: true });
    }
  };
  // Done once every socket has handed its bytes to the kernel.
  const flushed = () => {
    let pending = 0;
    for (const connection of wstackConnections) pending += connection.bufferedAmount;
    for (const ws of wsConnections) pending += ws.bufferedAmount;
    for (const socket of sockets) pending += socket.writableLength;
    if (pending !== 0) return setImmediate(flushed);
    const cpu = process.cpuUsage(before);
    send({ type: 'broadcasted', cpuMicros: cpu.user + cpu.system, flushedMs: performance.now() - started, connections: wstackConnections.size + wsConnections.size + sockets.size });
  };
  let done = 0;
  const next = () => {
    round();
    if (++done < rounds) setImmediate(next);
    else setImmediate(flushed);
  };
  if (paced) return next();
  for (let i = 0; i < rounds; i++) round();
  setImmediate(flushed);
}

process.on('message', (command: Command) => {
  if (command.cmd === 'stats') send(stats(command.gc === true));
  else broadcast(command.rounds, command.size, command.paced);
});
process.on('disconnect', () => process.exit(0));
// A clean exit, so that a --cpu-prof profile gets written.
process.on('SIGTERM', () => process.exit(0));

start().then(
  (started) => send(typeof started === 'number' ? { type: 'ready', port: started } : { type: 'ready', ...started }),
  (error: Error) => send({ type: 'failed', reason: error.message }),
);
