// WebSockets on a node:http2 server of your own: HTTP/2 streams and, with allowHTTP1, HTTP/1.1 upgrades on the same port.
import { createSecureServer } from 'node:http2';
import { pathToFileURL } from 'node:url';
import { createDevCert } from '@wstack/dev-cert';
import { Http1Server, Http2Server, http2ServerOptions } from 'wstack';

export async function startApp({ port = 8443, host = '127.0.0.1' } = {}) {
  const { cert, key } = createDevCert();
  const server = createSecureServer({ cert, key, ...http2ServerOptions(), allowHTTP1: true }, (request, response) => {
    response.end(`node:http2 here over HTTP/${request.httpVersion}; WebSockets on /ws`);
  });
  const options = {
    routes: {
      '/ws': (connection) => connection.on('message', (data) => connection.send(`node:http2 echo over ${connection.transport}: ${data}`)),
    },
  };
  const http2WebSockets = new Http2Server(options).attach(server); // extended CONNECT streams (RFC 8441)
  const http1WebSockets = new Http1Server(options).attach(server); // HTTP/1.1 upgrades (allowHTTP1 lets them in)
  // node:http2's close() waits for every session to end, idle ones too: send each a GOAWAY, even one opened while closing.
  let closing = false;
  const sessions = new Set();
  server.on('session', (session) => {
    if (closing) session.close();
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    port: server.address().port,
    cert,
    async close() {
      closing = true;
      await http2WebSockets.close();
      await http1WebSockets.close();
      const closed = new Promise((resolve) => server.close(resolve));
      for (const session of sessions) session.close();
      await closed;
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await startApp({ port: Number(process.env.PORT ?? 8443) });
  console.log(`node:http2 on https://127.0.0.1:${app.port}/, WebSockets on wss://127.0.0.1:${app.port}/ws (development certificate)`);
  const stop = () => app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
