/**
 * Runs one web-platform-tests `.any.js` file in a fresh node:vm context:
 * its `// META: script=` helpers first (with WPT's `{{…}}` substitutions
 * for `.sub.js` files and `?pipe=sub`), then the file, with the harness's
 * globals and a WebSocket that goes over the transport under test. Every
 * WebSocket the file made is closed afterwards, so nothing leaks into the
 * next file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Blob } from 'node:buffer';
import vm from 'node:vm';
import { CloseEvent, WebSocket, type WebSocketOptions } from '../../src/index.js';
import { Harness, type Result } from './testharness.js';

export const WPT_DIR = join(import.meta.dirname, '..', 'wpt');

/** Where the file's server runs and how its WebSockets are made. */
export interface WptEnvironment {
  host: string;
  /** The cleartext port (ws://; HTTP/1.1, and HTTP/2 with prior knowledge). */
  wsPort: number;
  /** The TLS port (wss://; HTTP/1.1 and HTTP/2 by ALPN, HTTP/3 on UDP). */
  wssPort: number;
  /** The third constructor argument of every WebSocket the file makes: the transport, TLS trust. */
  options: WebSocketOptions;
  /** How long the file's subtests may take, all together. */
  timeoutMs: number;
}

export interface FileOutcome {
  results: Result[];
  /** An exception outside any subtest, or a file that made no subtest. */
  error?: string;
  /** The file opened a ws:// WebSocket (which HTTP/3 cannot carry). */
  openedCleartext: boolean;
}

interface Meta {
  scripts: string[];
  /** `?wss`, `?wpt_flags=h2`…; '' for the default variant. */
  variants: string[];
}

/** The `// META:` lines at the top of a file (WPT's "any" test format). */
export function readMeta(source: string): Meta {
  const meta: Meta = { scripts: [], variants: [] };
  for (const line of source.split('\n')) {
    const match = /^\/\/ META: (\w+)=(.*)$/.exec(line.trim());
    if (match === null) break;
    if (match[1] === 'script') meta.scripts.push(match[2]!);
    if (match[1] === 'variant') meta.variants.push(match[2]!);
  }
  if (meta.variants.length === 0) meta.variants.push('');
  return meta;
}

/** WPT's server-side substitutions, for the keys these helpers use. */
function substitute(source: string, env: WptEnvironment): string {
  const values: Record<string, string> = {
    host: env.host,
    'ports[ws][0]': String(env.wsPort),
    'ports[wss][0]': String(env.wssPort),
    // WPT's HTTP/2 port is a TLS port of its own; ours serves HTTP/2 beside HTTP/1.1 on the TLS port.
    'ports[h2][0]': String(env.wssPort),
  };
  return source.replace(/\{\{([^}]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`no substitution for {{${key}}}`);
    return value;
  });
}

function loadScript(reference: string, env: WptEnvironment): { name: string; source: string } {
  const [name, query = ''] = reference.split('?') as [string, string?];
  const source = readFileSync(join(WPT_DIR, name), 'utf8');
  const sub = name.includes('.sub.') || new URLSearchParams(query).get('pipe') === 'sub';
  return { name, source: sub ? substitute(source, env) : source };
}

/** The variants a file runs in. */
export function variantsOf(file: string): string[] {
  return readMeta(readFileSync(join(WPT_DIR, file), 'utf8')).variants;
}

/**
 * Helpers a file gets instead of its META scripts (README: "Helpers"). The
 * websocket.sub.js kept predates these two files: its
 * CreateWebSocketWithBlockedPort() returns nothing, and its
 * CreateWebSocketNonWsScheme() opens http://, which the standard now takes
 * as ws://. constants.sub.js, which later replaced it, has the same
 * functions as the files expect them (returning the WebSocket; the scheme
 * invalid-scheme://).
 */
const HELPERS_INSTEAD: Record<string, string[]> = {
  'Create-blocked-port.any.js': ['constants.sub.js'],
  'Create-wrong-scheme.any.js': ['constants.sub.js'],
};

export async function runWptFile(file: string, variant: string, env: WptEnvironment): Promise<FileOutcome> {
  const source = readFileSync(join(WPT_DIR, file), 'utf8');
  const meta = readMeta(source);
  // A file without a META script (Create-invalid-urls.any.js, Create-http-urls.any.js at the commit kept) uses the
  // globals of constants.sub.js, the helper of its time.
  const scripts = HELPERS_INSTEAD[file] ?? (meta.scripts.length !== 0 ? meta.scripts : ['constants.sub.js']);
  const harness = new Harness(file);
  const opened = new Set<WebSocket>();
  const context = vm.createContext(globalsFor(harness, file, variant, env, opened));
  try {
    for (const reference of scripts) {
      const script = loadScript(reference, env);
      vm.runInContext(script.source, context, { filename: script.name });
    }
    vm.runInContext(source, context, { filename: file });
  } catch (error) {
    harness.error ??= error as Error;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, env.timeoutMs)));
  await Promise.race([harness.finished(), timedOut]);
  clearTimeout(timer);
  harness.timeOut();
  await closeAll(opened);
  const outcome: FileOutcome = { results: harness.results(), openedCleartext: [...opened].some((ws) => ws.url.startsWith('ws:')) };
  if (harness.error !== undefined) outcome.error = String(harness.error.stack ?? harness.error);
  else if (outcome.results.length === 0) outcome.error = 'the file made no subtest';
  return outcome;
}

/** What the file sees as its global object. */
function globalsFor(harness: Harness, file: string, variant: string, env: WptEnvironment, opened: Set<WebSocket>): Record<string, unknown> {
  const options = env.options;
  // The class under test, with the harness's third argument (a browser's WebSocket has none); a third
  // argument the file passes (constructor.any.js) is dropped, as WebIDL drops extra arguments.
  class HarnessWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, options);
      opened.add(this);
    }
  }
  const globals: Record<string, unknown> = {
    ...harness.globals(),
    WebSocket: HarnessWebSocket,
    CloseEvent,
    Blob,
    DOMException,
    Event,
    EventTarget,
    MessageEvent,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    setTimeout,
    clearTimeout,
    console,
    // .any.js files are served as .any.html pages on WPT's HTTP server.
    location: new URL(`http://${env.host}:${env.wsPort}/websockets/${file.replace(/\.js$/, '.html')}${variant}`),
  };
  globals.self = globals;
  return globals;
}

/** Closes what the file left open and waits (bounded) for every close event. */
async function closeAll(opened: Set<WebSocket>): Promise<void> {
  const open = [...opened].filter((ws) => ws.readyState !== WebSocket.CLOSED);
  const closed = open.map((ws) => new Promise((resolve) => ws.addEventListener('close', resolve, { once: true })));
  for (const ws of open) ws.close();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
  clearTimeout(timer);
}
