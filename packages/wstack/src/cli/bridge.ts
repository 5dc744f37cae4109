/** `wstack bridge`: accepts WebSockets on one URL and relays each to a target over the transport asked for. */
import { parseArgs } from 'node:util';
import { parseWebSocketUrl } from '@wstack/protocol';
import { bridgeTo } from '../bridge.js';
import { HELP, parsed, port, UsageFailure } from './args.js';
import { readCertificates, readKeyPair } from './files.js';
import { isClientTransport } from '../connect.js';
import { unknownTransport } from './connect.js';
import { createServer } from '../server.js';

export const BRIDGE_USAGE = `Usage: wstack bridge --listen URL --target URL [--transport auto|h1|h2|h3] [--ca FILE | --insecure] [--cert FILE --key FILE]

Accepts WebSockets on --listen (HTTP/1.1 and HTTP/2, and HTTP/3 with wss://)
and relays each, frame for frame, to the same path under --target over
--transport: the subprotocol and extension offers go to the target and its
answer comes back, then every byte crosses as it is, so the bridge judges
nothing. Any HTTP/1.1 tool (Autobahn included) can so drive an HTTP/2 or
HTTP/3 server.

  --listen URL     ws://HOST:PORT or wss://HOST:PORT (a development certificate unless --cert/--key)
  --target URL     the server to relay to
  --transport T    auto (default), h1, h2 or h3: how to reach the target
  --ca FILE        trust this CA certificate (PEM) for a wss:// target
  --insecure       do not verify the target's certificate
  --cert, --key    PEM files for a wss:// --listen`;

export async function bridge(args: string[], log: (line: string) => void): Promise<() => Promise<void>> {
  const { values } = parsed(() => parseArgs({ args, strict: true, options: { ...HELP,
    listen: { type: 'string' },
    target: { type: 'string' },
    transport: { type: 'string', default: 'auto' },
    ca: { type: 'string' },
    insecure: { type: 'boolean' },
    cert: { type: 'string' },
    key: { type: 'string' },
  } }), 'bridge');
  if (values.help) {
    log(BRIDGE_USAGE);
    return async () => undefined;
  }
  if (values.listen === undefined || values.target === undefined) throw new UsageFailure(`bridge needs --listen and --target\n(wstack help bridge)`);
  const listen = url(values.listen, '--listen');
  const target = url(values.target, '--target');
  const transport = values.transport!;
  if (!isClientTransport(transport)) throw new UsageFailure(unknownTransport(transport));
  if (values.ca && values.insecure) throw new UsageFailure('--ca and --insecure exclude each other');
  if ((values.cert === undefined) !== (values.key === undefined)) throw new UsageFailure('--cert and --key go together');
  const secure = listen.protocol === 'wss:';
  if (!secure && values.cert) throw new UsageFailure('--cert and --key need a wss:// --listen');
  const tls = values.insecure ? { rejectUnauthorized: false } : values.ca ? { ca: readCertificates(values.ca, '--ca') } : undefined;
  const relayTo = bridgeTo(
    { url: target, client: { transport, ...(tls ? { tls } : {}) } },
    (error, request) => log(`target refused ${request.path}: ${(error as Error).message}`),
    (downstream, upstream, request) => {
      log(`ws open ${downstream.transport} ${request.path} → ${upstream.transport}`);
      downstream.once('close', (error) => log(`ws close ${downstream.transport} ${request.path}${error ? ` (${error.message})` : ''}`));
    },
  );
  const certificate = values.cert !== undefined ? readKeyPair(values.cert, values.key!) : undefined;
  const server = await createServer({
    port: port(listen.port || undefined, secure ? 443 : 80),
    host: listen.hostname.replace(/^\[|\]$/g, ''),
    ...(certificate ? { tls: certificate } : { devCert: secure }),
    ...relayTo.options,
  });
  server.on('rejection', (_rejection, request) => relayTo.refused(request));
  if (server.devCert) log(`development certificate: SPKI sha256 ${server.devCert.spkiSha256}`);
  log(`bridging ${server.url} (${server.transports.join(', ')}) to ${target.href} over ${transport}`);
  return async () => {
    await server.close();
    await relayTo.close();
  };
}

function url(value: string, flag: string): URL {
  try {
    return parseWebSocketUrl(value);
  } catch (error) {
    throw new UsageFailure(`${flag}: ${(error as Error).message}`);
  }
}
