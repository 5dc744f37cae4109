#!/usr/bin/env node
/** The `wstack` command line: serve, connect, bridge. */
import { UsageFailure } from './args.js';
import { explain } from './errors.js';
import { bridge, BRIDGE_USAGE } from './bridge.js';
import { connectCommand, CONNECT_USAGE } from './connect.js';
import { serve, SERVE_USAGE } from './serve.js';

const USAGE = `Usage: wstack <command> [options]

Commands:
  serve     serve WebSockets (echo), printing a line per WebSocket event
  connect   open a WebSocket, send standard input line by line, print what arrives
  bridge    accept WebSockets and relay each to a target over another transport

Run wstack <command> --help for its options.

${SERVE_USAGE}

${CONNECT_USAGE}

${BRIDGE_USAGE}`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      return untilSignal(await serve(args, print), args);
    case 'bridge':
      return untilSignal(await bridge(args, print), args);
    case 'connect':
      return connectCommand(args, { input: process.stdin, print, log });
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      print(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageFailure(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

/** Runs a server until SIGINT or SIGTERM, then shuts it down gracefully (1001 to every WebSocket). */
async function untilSignal(stop: () => Promise<void>, args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) return 0;
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('shutting down');
  await stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    if (error instanceof UsageFailure) {
      log(error.message);
      process.exit(2);
    }
    log(explain(error));
    process.exit(1);
  },
);
