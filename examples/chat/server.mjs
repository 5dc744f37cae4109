// A chat: a page, and rooms whose messages reach every member on whichever transport it came.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createServer } from 'wstack';

const PAGE = readFileSync(new URL('./index.html', import.meta.url));

export async function startChat({ port = 8443, host = '127.0.0.1', tls } = {}) {
  /** @type {Map<string, Set<import('wstack').WebSocketConnection>>} */
  const rooms = new Map();
  const join = (room, connection) => {
    if (!rooms.has(room)) rooms.set(room, new Set());
    rooms.get(room).add(connection);
    connection.once('close', () => {
      rooms.get(room).delete(connection);
      if (rooms.get(room).size === 0) rooms.delete(room);
    });
  };
  const broadcast = (room, message) => {
    const text = JSON.stringify(message);
    for (const member of rooms.get(room) ?? []) {
      // A member whose buffer is full misses messages rather than growing it without bound.
      if (member.readyState === 1 && member.bufferedAmount < 1024 * 1024) member.send(text);
    }
  };
  return createServer({
    port,
    host,
    ...(tls ? { tls } : { devCert: true }),
    request(request, response) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(PAGE);
    },
    routes: {
      '/chat'(connection, request) {
        const url = new URL(request.path, 'ws://chat');
        const room = url.searchParams.get('room') || 'lobby';
        const name = (url.searchParams.get('name') || 'anonymous').slice(0, 32);
        join(room, connection);
        broadcast(room, { from: 'server', text: `${name} joined over ${connection.transport}` });
        connection.on('message', (data, binary) => {
          if (!binary) broadcast(room, { from: name, text: data.toString().slice(0, 1000) });
        });
      },
    },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startChat({ port: Number(process.env.PORT ?? 8443) });
  console.log(`chat on ${server.url.replace('wss:', 'https:')} over ${server.transports.join(', ')}`);
  if (server.devCert) console.log(`development certificate, SPKI sha256 ${server.devCert.spkiSha256}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
