#!/usr/bin/env node
/** The `wstack` command line: serve, connect, bridge. */
import { readFileSync } from 'node:fs';
import { UsageFailure } from './args.js';
import { CliFailure, explain } from './errors.js';
import { bridge, BRIDGE_USAGE } from './bridge.js';
import { connectCommand, CONNECT_USAGE } from './connect.js';
import { serve, SERVE_USAGE } from './serve.js';

const OVERVIEW = `Usage: wstack <command> [options]

  serve     serve WebSockets over HTTP/1.1, HTTP/2 and HTTP/3, echoing every message
  connect   open a WebSocket, send standard input line by line, print what arrives
  bridge    accept WebSockets and relay each to a target over another transport

wstack help <command> (or wstack <command> --help) tells its options.
--version prints the version; --debug (or WSTACK_DEBUG=1) adds stack traces to failures.`;

const USAGES: Record<string, string> = { serve: SERVE_USAGE, connect: CONNECT_USAGE, bridge: BRIDGE_USAGE };

const log = (line: string) => process.stderr.write(`${line}\n`);
const print = (line: string) => process.stdout.write(`${line}\n`);

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      return untilSignal(await serve(args, print), args);
    case 'bridge':
      return untilSignal(await bridge(args, print), args);
    case 'connect':
      return connectCommand(args, { input: process.stdin, print, log });
    case '--version':
    case '-v':
      print(version());
      return 0;
    case 'help':
      if (args[0] !== undefined && !(args[0] in USAGES)) throw new UsageFailure(`no command ${JSON.stringify(args[0])}; the commands are ${Object.keys(USAGES).join(', ')}`);
      print(args[0] === undefined ? OVERVIEW : USAGES[args[0]]!);
      return 0;
    case '--help':
    case '-h':
      print(OVERVIEW);
      return 0;
    case undefined:
      log(OVERVIEW);
      return 2;
    default:
      throw new UsageFailure(`unknown command ${JSON.stringify(command)}; the commands are ${Object.keys(USAGES).join(', ')} (wstack --help)`);
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

/** The stack, and for a ConnectError each attempt's. */
function stackOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error instanceof AggregateError ? error.errors.map(stackOf) : [];
  return [error.stack ?? String(error), ...inner].join('\n');
}

const argv = process.argv.slice(2);
const debug = argv.includes('--debug') || Boolean(process.env.WSTACK_DEBUG);
main(argv.filter((arg) => arg !== '--debug')).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof UsageFailure ? error.message : explain(error));
    if (debug && error instanceof Error && !(error instanceof UsageFailure)) log(stackOf(error instanceof CliFailure && error.cause !== undefined ? error.cause : error));
    process.exit(error instanceof UsageFailure ? 2 : 1);
  },
);
