/**
 * The testee client of the Autobahn TestSuite's fuzzingserver mode: asks for
 * the number of cases, runs each one (echoing every message back as it
 * came), then asks the server to write its reports.
 *
 *   pnpm autobahn:client --url ws://127.0.0.1:9001 --agent wstack [--transport h1|h2|h3] [--no-deflate]
 *
 * permessage-deflate is offered unless --no-deflate (sections 12 and 13 need it).
 */
import { parseArgs } from 'node:util';
import { connect, CLIENT_TRANSPORTS, type ClientOptions, type ClientTransport, type WebSocketConnection } from 'wstack';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'ws://127.0.0.1:9001' },
    agent: { type: 'string', default: 'wstack' },
    transport: { type: 'string', default: 'h1' },
    'no-deflate': { type: 'boolean' },
  },
});
const transport = values.transport as ClientTransport;
if (!CLIENT_TRANSPORTS.includes(transport)) {
  process.stderr.write(`unknown or unavailable transport ${transport}\n`);
  process.exit(2);
}
const base = values.url!.replace(/\/$/, '');
const agent = encodeURIComponent(values.agent!);
const options: ClientOptions = { transport, maxMessageSize: 64 * 1024 * 1024, closeTimeout: 5000, perMessageDeflate: !values['no-deflate'] };

function finished(connection: WebSocketConnection): Promise<number> {
  return new Promise((resolve) => connection.once('close', ({ code }) => resolve(code)));
}

async function caseCount(): Promise<number> {
  const connection = await connect(`${base}/getCaseCount`, options);
  const count = new Promise<number>((resolve) => connection.once('message', (data) => resolve(Number(data.toString()))));
  await finished(connection);
  return count;
}

async function runCase(index: number): Promise<void> {
  let connection: WebSocketConnection;
  try {
    connection = await connect(`${base}/runCase?case=${index}&agent=${agent}`, options);
  } catch (error) {
    process.stderr.write(`case ${index}: ${(error as Error).message}\n`);
    return;
  }
  connection.on('message', (data, binary) => {
    if (connection.readyState === 1) connection.send(data, { binary });
  });
  await finished(connection);
}

const count = await caseCount();
process.stderr.write(`${count} cases\n`);
for (let index = 1; index <= count; index++) {
  await runCase(index);
  if (index % 50 === 0) process.stderr.write(`${index}/${count}\n`);
}
await finished(await connect(`${base}/updateReports?agent=${agent}`, options));
process.stderr.write('reports updated\n');
