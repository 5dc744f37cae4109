/**
 * Options checked by name. An options object is a bag of optional fields:
 * a misspelt name (`prot` for `protocols`) or one of another library's
 * (ws's `port`, `path`, `verifyClient`) would be ignored without a word,
 * and the server or client would run on a default the caller meant to
 * change. So the public entry points (a server's constructor, a client's
 * `connect`) refuse names they do not know with a TypeError; what they pass
 * on to the layers below is not checked again.
 */

import type { ClientHandshakeOptions, ConnectionOptions } from './connection-types.js';
import type { ServerOptions } from './upgrade-policy.js';

/**
 * Every option name of an options type, each marked `true`. Written as an
 * object literal of this type, the list is complete and holds no stray name,
 * or the code does not compile: a new option cannot be forgotten here.
 */
export type OptionNames<T> = { readonly [K in keyof Required<T>]: true };

/** What to say, by option name, instead of the plain "unknown option": where a name a ws user knows went. */
export type OptionAdvice = Readonly<Record<string, string>>;

/** The options of every connection. */
export const CONNECTION_OPTION_NAMES: OptionNames<ConnectionOptions> = {
  maxMessageSize: true,
  maxFrameSize: true,
  maxFragments: true,
  autoPong: true,
  maskSource: true,
  highWaterMark: true,
  maxBufferedAmount: true,
  pingInterval: true,
  pongTimeout: true,
  idleTimeout: true,
  closeTimeout: true,
  compression: true,
  topics: true,
};

/** The options of every transport's server (its policy and its connections'). */
export const SERVER_OPTION_NAMES: OptionNames<ServerOptions> = {
  ...CONNECTION_OPTION_NAMES,
  handler: true,
  routes: true,
  origins: true,
  protocols: true,
  authenticate: true,
  handshakeTimeout: true,
  shutdownTimeout: true,
  perMessageDeflate: true,
  tunnel: true,
  answerHeaders: true,
};

/** The options of every transport's client. */
export const CLIENT_HANDSHAKE_OPTION_NAMES: OptionNames<ClientHandshakeOptions> = {
  ...CONNECTION_OPTION_NAMES,
  protocols: true,
  origin: true,
  handshakeTimeout: true,
  perMessageDeflate: true,
  signal: true,
};

/** Advice for ws's server options that every wstack server answers the same way. */
export const WS_SERVER_OPTION_ADVICE: OptionAdvice = {
  path: "serve paths with routes: { '/path': handler }",
  verifyClient: 'use authenticate (and origins)',
  handleProtocols: 'use protocols: the names spoken, or a function that picks one of the offers',
  maxPayload: 'use maxMessageSize',
  clientTracking: 'not needed: server.connections always holds the open WebSockets',
};

/** Advice for ws's client options. */
export const WS_CLIENT_OPTION_ADVICE: OptionAdvice = {
  maxPayload: 'use maxMessageSize',
  rejectUnauthorized: 'put it in tls: { rejectUnauthorized }',
  ca: 'put it in tls: { ca }',
  servername: 'put it in tls: { servername }',
};

/** The names of an OptionNames list, for `checkOptions`. */
export function optionNameSet<T>(names: OptionNames<T>): ReadonlySet<string> {
  return new Set(Object.keys(names));
}

/**
 * Throws a TypeError naming the first option of `options` that is not in
 * `known`: "unknown option NAME for OWNER", then the advice for that name,
 * or a known name it looks like. Names whose value is undefined count too: the
 * caller wrote them.
 */
export function checkOptions(options: object | undefined, known: ReadonlySet<string>, owner: string, advice: OptionAdvice = {}): void {
  if (options === undefined || options === null) return;
  for (const name of Object.keys(options)) {
    if (known.has(name)) continue;
    const said = Object.hasOwn(advice, name) ? `: ${advice[name]}` : closest(name, known);
    throw new TypeError(`unknown option ${name} for ${owner}${said}`);
  }
}

/** A known name the unknown one was probably meant to be: the same but for case, one it begins, or one or two edits away. */
function closest(name: string, known: ReadonlySet<string>): string {
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const near = editDistance(lower, other) <= (lower.length < 6 ? 1 : 2);
    if (other === lower || (lower.length >= 3 && other.startsWith(lower)) || near) return `; did you mean ${candidate}?`;
  }
  return '';
}

/** Levenshtein distance, on one row. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
