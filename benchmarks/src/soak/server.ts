/**
 * The soak's server: wstack's createServer on every transport with a
 * development certificate and the limits a deployment would set for small
 * messages (maxMessageSize 1 MiB); everything else at its default. It
 * echoes, counts how its WebSockets ended, and measures itself on request.
 */
import { createServer } from 'wstack';
import type { Memory, ServerCommand, ServerReply } from './protocol.js';

const send = (reply: ServerReply) => process.send!(reply);
const closes: Record<string, number> = {};

const server = await createServer({
  port: 0,
  devCert: true,
  maxMessageSize: 1024 * 1024,
  handler(connection) {
    connection.on('message', (data, binary) => {
      if (connection.readyState === 1) connection.send(data, { binary });
    });
    connection.on('close', ({ code, error }) => {
      const key = `${connection.transport} ${code}${error ? ` ${(error as { code?: string }).code ?? error.name}` : ''}`;
      closes[key] = (closes[key] ?? 0) + 1;
    });
  },
});
if (!server.transports.includes('h3')) throw new Error(`the soak needs HTTP/3: ${server.http3Unavailable?.message}`);

async function measure(): Promise<Memory> {
  for (let i = 0; i < 4; i++) {
    globalThis.gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const usage = process.memoryUsage();
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
  return { heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, rss: usage.rss, external: usage.external, handles, websockets: server.connections.length };
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
