/** `wstack connect`: each line of standard input goes out as a text message; each message received is printed. */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { HELP, parsed, UsageFailure } from './args.js';
import { parseWebSocketUrl } from '@wstack/protocol';
import { connect, isClientTransport, CLIENT_TRANSPORTS } from '../connect.js';
import { attemptsOf, CliFailure, connectFailure, isCertificateProblem } from './errors.js';
import { readCertificates } from './files.js';
import { secureTwin, speaksTls } from './diagnose.js';

export const CONNECT_USAGE = `Usage: wstack connect URL [--transport auto|h1|h2|h3] [--ca FILE | --insecure] [--protocol P] [--deflate]

Sends each line of standard input as a text message and prints each message received.

  --transport T   auto (default): the best the server speaks — an open connection first,
                  then HTTP/3 (wss://), HTTP/2, HTTP/1.1, each after a short head start;
                  h1: HTTP/1.1 Upgrade; h2: HTTP/2 extended CONNECT
                  (wss:// with ALPN h2, ws:// as h2c with prior knowledge);
                  h3: HTTP/3 extended CONNECT (wss:// only)
  --ca FILE       trust this CA certificate (PEM) for wss://
  --insecure      do not verify the server's certificate
  --protocol P    offer subprotocol P (repeatable)
  --deflate       offer permessage-deflate`;

export interface ConnectIo {
  input: NodeJS.ReadableStream;
  print: (line: string) => void;
  log: (line: string) => void;
}

export async function connectCommand(args: string[], io: ConnectIo): Promise<number> {
  const { values, positionals } = parsed(() => parseArgs({ args, strict: true, allowPositionals: true, options: { ...HELP,
    transport: { type: 'string', default: 'auto' },
    ca: { type: 'string' },
    insecure: { type: 'boolean' },
    protocol: { type: 'string', multiple: true },
    deflate: { type: 'boolean' },
  } }), 'connect');
  if (values.help) {
    io.log(CONNECT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageFailure('connect takes one URL, as in: wstack connect wss://127.0.0.1:8443/\n(wstack help connect)');
  const url = webSocketUrl(positionals[0]!);
  const transport = values.transport!;
  if (!isClientTransport(transport)) throw new UsageFailure(unknownTransport(transport));
  if (values.ca && values.insecure) throw new UsageFailure('--ca and --insecure exclude each other');
  const tls = values.insecure ? { rejectUnauthorized: false } : values.ca ? { ca: readCertificates(values.ca, '--ca') } : undefined;
  const connection = await connect(url, { transport, ...(tls ? { tls } : {}), protocols: values.protocol ?? [], perMessageDeflate: values.deflate === true }).catch(
    async (error: unknown) => {
      throw new CliFailure(await whyNotConnected(url, error), { cause: error });
    },
  );
  const details = [connection.protocol && `subprotocol ${connection.protocol}`, connection.extensions && `extensions ${connection.extensions}`].filter(Boolean);
  io.log(`connected over ${connection.transport}${details.length ? `, ${details.join(', ')}` : ''}`);
  connection.on('message', (data, binary) => io.print(binary ? `<binary ${data.length} bytes: ${data.subarray(0, 32).toString('hex')}>` : data.toString()));
  const lines = createInterface({ input: io.input });
  lines.on('line', (line) => {
    if (connection.readyState === 1) connection.send(line);
  });
  lines.on('close', () => {
    if (connection.readyState === 1) connection.close(1000);
  });
  const end = await new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => connection.once('close', resolve));
  lines.close();
  io.log(`closed: ${end.code}${end.reason ? ` ${end.reason}` : ''}`);
  return end.wasClean ? 0 : 1;
}

export const unknownTransport = (transport: string) =>
  `unknown or unavailable transport ${JSON.stringify(transport)}: expected one of ${CLIENT_TRANSPORTS.join(', ')}`;

function webSocketUrl(input: string): URL {
  try {
    return parseWebSocketUrl(input);
  } catch (error) {
    throw new UsageFailure((error as Error).message);
  }
}

/** A failed connection in words; a ws:// URL whose port answers TLS gets the wss:// URL to use. */
async function whyNotConnected(url: URL, error: unknown): Promise<string> {
  const refused = attemptsOf(error).every(([, cause]) => cause.code === 'ECONNREFUSED' || isCertificateProblem(cause));
  if (url.protocol === 'ws:' && !refused && (await speaksTls(url))) {
    return `${url.href}: the server speaks TLS on port ${url.port || 80}\nUse ${secureTwin(url)}`;
  }
  return connectFailure(error, url);
}
