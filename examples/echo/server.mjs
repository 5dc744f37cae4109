// An echo server on every transport wstack serves, on one port.
import { pathToFileURL } from 'node:url';
import { createServer } from 'wstack';

export async function startEcho({ port = 8443, host = '127.0.0.1', tls } = {}) {
  return createServer({
    port,
    host,
    ...(tls ? { tls } : { devCert: true }),
    perMessageDeflate: true,
    handler(connection, request) {
      console.log(`ws open ${connection.transport} ${request.path}`);
      connection.on('message', (data, binary) => connection.send(data, { binary }));
      connection.on('close', ({ code }) => console.log(`ws close ${connection.transport} ${request.path} ${code}`));
    },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startEcho({ port: Number(process.env.PORT ?? 8443) });
  console.log(`echo on ${server.url} over ${server.transports.join(', ')}`);
  if (server.devCert) console.log(`development certificate, SPKI sha256 ${server.devCert.spkiSha256}`);
  const stop = () => server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
