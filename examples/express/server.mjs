// One Express app and its WebSockets over HTTP/1.1, HTTP/2 and HTTP/3: createServer hands the app
// node:http's request and response objects on every transport, and the WebSockets on /ws to wstack.
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import { createServer } from 'wstack';

export function expressApp() {
  const app = express();
  // The page and its script and style: the page shows which HTTP version brought it.
  app.use(express.static(fileURLToPath(new URL('./public', import.meta.url))));
  app.get('/api/info', (request, response) => {
    response.json({ httpVersion: request.httpVersion, protocol: request.protocol });
  });
  // The size is of the bytes that came, which an HTTP/2 or HTTP/3 client need not announce in content-length.
  const json = express.json({ limit: '64kb', verify: (request, _response, bytes) => (request.bodySize = bytes.length) });
  app.post('/api/echo', json, (request, response) => {
    response.json({ body: request.body, size: request.bodySize ?? 0 });
  });
  return app;
}

export async function startApp({ port = 8443, host = '127.0.0.1', tls } = {}) {
  return createServer({
    port,
    host,
    // QUIC is always encrypted: HTTP/3 needs a certificate, a real one or a development one.
    ...(tls ? { tls } : { devCert: true }),
    request: expressApp(),
    routes: {
      '/ws': (connection) => connection.on('message', (data) => connection.send(`express echo: ${data} over ${connection.transport}`)),
    },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startApp({ port: Number(process.env.PORT ?? 8443) });
  console.log(`Express on ${server.url.replace('wss:', 'https:')} over ${server.transports.join(', ')}, WebSockets on ${server.url}ws`);
  if (server.devCert) console.log(`development certificate, SPKI sha256 ${server.devCert.spkiSha256}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
