/** `wstack serve`: a WebSocket server that echoes, with a line per WebSocket event. */
import { readFileSync } from 'node:fs';
import { createDevCert } from '@wstack/core/dev-cert';
import { WebSocketServer } from '@wstack/http1';
import { parseArgs } from 'node:util';
import { HELP, parsed, port, UsageFailure } from './cli-args.js';

export const SERVE_USAGE = `Usage: wstack serve [--port N] [--host H] [--no-tls | --cert FILE --key FILE] [--echo] [--no-deflate]

Serves WebSockets on any path and prints a line per WebSocket event:
  ws open <transport> <path>
  ws close <transport> <path> <code>

  --port N       port to listen on (default 8443, or 8080 with --no-tls; 0 picks a free one)
  --host H       address to listen on (default 127.0.0.1)
  --no-tls       plain ws:// instead of wss://
  --cert, --key  PEM files for TLS; without them a development certificate is made
  --echo         echo every message back (the default, and for now the only behaviour)
  --no-deflate   decline permessage-deflate (accepted by default)`;

export async function serve(args: string[], log: (line: string) => void): Promise<() => Promise<void>> {
  const { values } = parsed(() => parseArgs({ args, strict: true, options: { ...HELP,
    port: { type: 'string' },
    host: { type: 'string' },
    'no-tls': { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
    echo: { type: 'boolean' },
    'no-deflate': { type: 'boolean' },
  } }), SERVE_USAGE);
  if (values.help) {
    log(SERVE_USAGE);
    return async () => undefined;
  }
  const plain = values['no-tls'] === true;
  if (plain && (values.cert || values.key)) throw new UsageFailure('--no-tls and --cert/--key exclude each other');
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageFailure('--cert and --key go together');
  const listenPort = port(values.port, plain ? 8080 : 8443);
  let tls: { cert: string; key: string } | undefined;
  if (!plain) {
    if (values.cert !== undefined) {
      tls = { cert: readFileSync(values.cert, 'utf8'), key: readFileSync(values.key!, 'utf8') };
    } else {
      const dev = createDevCert();
      tls = dev;
      log(`development certificate: SPKI sha256 ${dev.spkiSha256}`);
    }
  }
  const server = new WebSocketServer({
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
  const address = await server.listen({ port: listenPort, host: values.host ?? '127.0.0.1', ...(tls ? { tls } : {}) });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log(`listening on ${plain ? 'ws' : 'wss'}://${host}:${address.port}/ (http/1.1)`);
  return () => server.close();
}
