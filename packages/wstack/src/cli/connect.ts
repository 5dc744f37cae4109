/** `wstack connect`: each line of standard input goes out as a text message; each message received is printed. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { HELP, parsed, UsageFailure } from './args.js';
import { connect, isClientTransport } from '../connect.js';

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
  } }), CONNECT_USAGE);
  if (values.help) {
    io.log(CONNECT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageFailure(`connect takes one URL\n\n${CONNECT_USAGE}`);
  const transport = values.transport!;
  if (!isClientTransport(transport)) throw new UsageFailure(`unknown or unavailable transport ${JSON.stringify(values.transport)}\n\n${CONNECT_USAGE}`);
  if (values.ca && values.insecure) throw new UsageFailure('--ca and --insecure exclude each other');
  const tls = values.insecure ? { rejectUnauthorized: false } : values.ca ? { ca: readFileSync(values.ca, 'utf8') } : undefined;
  const connection = await connect(positionals[0]!, { transport, ...(tls ? { tls } : {}), protocols: values.protocol ?? [], perMessageDeflate: values.deflate === true });
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
