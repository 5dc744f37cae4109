#!/usr/bin/env node
/** The `wstack` command line: serve, connect. */
import { UsageFailure } from './cli-args.js';
import { explain } from './cli-errors.js';
import { connectCommand, CONNECT_USAGE } from './cli-connect.js';
import { serve, SERVE_USAGE } from './cli-serve.js';

const USAGE = `Usage: wstack <command> [options]

Commands:
  serve     serve WebSockets (echo), printing a line per WebSocket event
  connect   open a WebSocket, send standard input line by line, print what arrives

Run wstack <command> --help for its options.

${SERVE_USAGE}

${CONNECT_USAGE}`;

const log = (line: string) => process.stderr.write(`${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve': {
      const stop = await serve(args, print);
      if (args.includes('--help') || args.includes('-h')) return 0;
      await new Promise<void>((resolve) => {
        const shutdown = () => resolve();
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
      log('shutting down');
      await stop();
      return 0;
    }
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
