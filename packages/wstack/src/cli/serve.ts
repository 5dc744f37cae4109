/** `wstack serve`: a WebSocket server that echoes, with a line per WebSocket event. */
import { parseArgs } from 'node:util';
import { spkiSha256 } from '@wstack/dev-cert';
import { createServer } from '../server.js';
import { staticFiles } from '../static-files.js';
import { HELP, parsed, port, UsageFailure } from './args.js';
import { readKeyPair } from './files.js';

export const SERVE_USAGE = `Usage: wstack serve [--port N] [--host H] [--no-tls | --cert FILE --key FILE] [--static DIR] [--no-deflate] [--no-h1] [--no-h2] [--no-h3]

Serves WebSockets on any path — over HTTP/1.1 and HTTP/2 on a TCP port, and
with TLS over HTTP/3 on UDP at the same port number — echoes every message
back, and prints a line per WebSocket event:
  ws open <transport> <path>
  ws close <transport> <path> <code>

  --port N       port to listen on (default 8443, or 8080 with --no-tls; 0 picks a free one)
  --host H       address to listen on (default 127.0.0.1)
  --no-tls       plain ws:// (HTTP/1.1, and h2c with prior knowledge; no HTTP/3) instead of wss://
  --cert, --key  PEM files for TLS; without them a development certificate is made
  --static DIR   answer ordinary GET and HEAD requests with the files under DIR (HTTP/1.1, HTTP/2, HTTP/3)
  --no-deflate   decline permessage-deflate (accepted by default)
  --no-h1        do not serve WebSockets over HTTP/1.1 (RFC 6455)
  --no-h2        do not serve WebSockets over HTTP/2 (RFC 8441)
  --no-h3        do not serve WebSockets over HTTP/3 (RFC 9220)`;

export async function serve(args: string[], log: (line: string) => void): Promise<() => Promise<void>> {
  const { values } = parsed(() => parseArgs({ args, strict: true, options: { ...HELP,
    port: { type: 'string' },
    host: { type: 'string' },
    'no-tls': { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
    static: { type: 'string' },
    'no-deflate': { type: 'boolean' },
    'no-h1': { type: 'boolean' },
    'no-h2': { type: 'boolean' },
    'no-h3': { type: 'boolean' },
  } }), 'serve');
  if (values.help) {
    log(SERVE_USAGE);
    return async () => undefined;
  }
  const plain = values['no-tls'] === true;
  if (plain && (values.cert || values.key)) throw new UsageFailure('--no-tls and --cert/--key exclude each other');
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageFailure('--cert and --key go together');
  if (values['no-h1'] && values['no-h2'] && (plain || values['no-h3'])) throw new UsageFailure('--no-h1, --no-h2 and --no-h3 (or --no-tls) leave no transport to serve');
  const tls = values.cert !== undefined ? readKeyPair(values.cert, values.key!) : undefined;
  const request = values.static === undefined ? undefined : staticFiles(values.static);
  const server = await createServer({
    ...(request ? { request } : {}),
    port: port(values.port, plain ? 8080 : 8443),
    host: values.host ?? '127.0.0.1',
    ...(tls ? { tls } : { devCert: !plain }),
    http1: values['no-h1'] !== true,
    http2: values['no-h2'] !== true,
    // Asked for by default with TLS, so that a platform without QUIC says why (below) rather than failing.
    ...(values['no-h3'] ? { http3: false } : {}),
    perMessageDeflate: values['no-deflate'] !== true,
    handler(connection, request) {
      const { transport } = connection;
      log(`ws open ${transport} ${request.path}${connection.extensions ? ` (${connection.extensions})` : ''}`);
      connection.on('message', (data, binary) => {
        if (connection.readyState === 1) connection.send(data, { binary });
      });
      connection.on('close', ({ code }) => log(`ws close ${transport} ${request.path} ${code}`));
    },
  });
  if (server.devCert) log(`development certificate: SPKI sha256 ${server.devCert.spkiSha256}`);
  else if (tls) log(`certificate: SPKI sha256 ${spkiSha256(tls.cert)}`);
  if (server.http3Unavailable) log(`no HTTP/3: ${server.http3Unavailable.message}`);
  log(`listening on ${server.url} (${server.transports.join(', ')})`);
  return async () => {
    const { closed, terminated } = await server.close();
    log(`closed ${closed} WebSocket${closed === 1 ? '' : 's'}${terminated ? `; terminated ${terminated} still open after 10 s` : ''}`);
  };
}

