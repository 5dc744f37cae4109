/**
 * The soak's server: wstack's createServer on every transport with a
 * development certificate and the limits a deployment would set for small
 * messages (maxMessageSize 1 MiB); everything else at its default. It
 * echoes, floods a stalled reader that asks for it (an application that
 * ignores `send()`'s false), counts how its WebSockets ended, and measures
 * itself on request.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createServer, type WebSocketConnection } from 'wstack';
import type { Memory, ServerCommand, ServerReply } from './protocol.js';
import { describeQuic } from './quic-debug.js';

// A measure may be asked for while the orchestrator is already closing: no answer then.
const send = (reply: ServerReply) => process.connected && process.send!(reply);
const closes: Record<string, number> = {};

/** The command of a stalled reader: the application then sends 20 MiB without waiting for 'drain', toward a peer that reads nothing. */
const FLOOD = 'flood';
function flood(connection: WebSocketConnection): void {
  // The abuse the send cap exists for: each send after the cap is passed is refused, and the connection closes with 1008.
  for (let i = 0; i < 40 && connection.readyState === 1; i++) connection.send(Buffer.alloc(512 * 1024, i));
}

const server = await createServer({
  port: 0,
  devCert: true,
  maxMessageSize: 1024 * 1024,
  handler(connection) {
    connection.on('message', (data, binary) => {
      if (!binary && data.length === FLOOD.length && data.toString() === FLOOD) flood(connection);
      else if (connection.readyState === 1) connection.send(data, { binary });
    });
    connection.on('close', ({ code, error }) => {
      const key = `${connection.transport} ${code}${error ? ` ${(error as { code?: string }).code ?? error.name}` : ''}`;
      closes[key] = (closes[key] ?? 0) + 1;
      // The first of each kind that is not one of the soak's own doings, in words.
      if (closes[key] === 1 && error && !/STREAM_RESET|FRAME_TOO_LARGE|SEND_BUFFER_FULL|ECONNRESET|QUIC_CONNECTION_CLOSED/.test(key)) process.stderr.write(`server: ${key}: ${error.message}\n`);
    });
  },
});
if (!server.transports.includes('h3')) throw new Error(`the soak needs HTTP/3: ${server.http3Unavailable?.message}`);

if (process.env.SOAK_DEBUG) {
  // Every 20 s, the server's side of each QUIC connection (to match the load's lost echoes by port).
  const h3 = (server as unknown as { servers: { sessions?: Set<{ quicConnection: unknown }> }[] }).servers.find((each) => each.sessions !== undefined)!;
  setInterval(() => {
    for (const session of h3.sessions!) {
      process.stderr.write(`server quic ${describeQuic(session.quicConnection)}\n`);
    }
  }, 20_000).unref();
}

const lag = monitorEventLoopDelay({ resolution: 20 });
lag.enable();

async function measure(): Promise<Memory> {
  const loopDelayMax = lag.max / 1e6;
  lag.reset();
  for (let i = 0; i < 4; i++) {
    globalThis.gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  return { heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, rss: usage.rss, external: usage.external, handles, websockets: server.connections.length, loopDelayMax };
}

process.on('message', async (command: ServerCommand) => {
  if (command.type === 'measure') send({ type: 'memory', memory: await measure() });
  else {
    const result = await server.close();
    send({ type: 'closed', ...result, closes });
    process.disconnect();
  }
});
send({ type: 'ready', port: server.address.port });
