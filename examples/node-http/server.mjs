// WebSockets on plain node:http and node:https servers: your request listener answers requests, wstack takes the upgrades.
import { createServer } from 'node:http';
import { createServer as createSecureServer } from 'node:https';
import { pathToFileURL } from 'node:url';
import { createDevCert } from '@wstack/dev-cert';
import { Http1Server } from 'wstack';

export async function startApp({ port = 8080, tlsPort = 8443, host = '127.0.0.1' } = {}) {
  const { cert, key } = createDevCert();
  const answer = (request, response) => response.end(`${request.socket.encrypted ? 'node:https' : 'node:http'} here; WebSockets on /ws`);
  const httpServer = createServer(answer);
  const httpsServer = createSecureServer({ cert, key }, answer);
  const websockets = new Http1Server({
    routes: {
      '/ws': (connection) => connection.on('message', (data) => connection.send(`node:http echo: ${data}`)),
    },
  });
  websockets.attach(httpServer);
  websockets.attach(httpsServer);
  await new Promise((resolve) => httpServer.listen(port, host, resolve));
  await new Promise((resolve) => httpsServer.listen(tlsPort, host, resolve));
  return {
    port: httpServer.address().port,
    tlsPort: httpsServer.address().port,
    cert,
    async close() {
      await websockets.close();
      await new Promise((resolve) => httpServer.close(resolve));
      await new Promise((resolve) => httpsServer.close(resolve));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await startApp({ port: Number(process.env.PORT ?? 8080), tlsPort: Number(process.env.TLS_PORT ?? 8443) });
  console.log(`node:http on http://127.0.0.1:${app.port}/, WebSockets on ws://127.0.0.1:${app.port}/ws`);
  console.log(`node:https on https://127.0.0.1:${app.tlsPort}/, WebSockets on wss://127.0.0.1:${app.tlsPort}/ws (development certificate)`);
  const stop = () => app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
