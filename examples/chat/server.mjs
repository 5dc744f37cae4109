// A chat: a page, and rooms whose messages reach every member on whichever transport it came.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createServer } from 'wstack';

const PAGE = readFileSync(new URL('./index.html', import.meta.url));

export async function startChat({ port = 8443, host = '127.0.0.1', tls } = {}) {
  // A room is a topic: a message is framed once for all its members, and a member
  // whose send buffer holds more than 1 MiB misses messages (the server's default policy).
  const say = (room, message) => server.publish(room, JSON.stringify(message));
  const server = await createServer({
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
        connection.subscribe(room);
        say(room, { from: 'server', text: `${name} joined over ${connection.transport}` });
        connection.on('message', (data, binary) => {
          if (!binary) say(room, { from: name, text: data.toString().slice(0, 1000) });
        });
      },
    },
  });
  return server;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startChat({ port: Number(process.env.PORT ?? 8443) });
  console.log(`chat on ${server.url.replace('wss:', 'https:')} over ${server.transports.join(', ')}`);
  if (server.devCert) console.log(`development certificate, SPKI sha256 ${server.devCert.spkiSha256}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
