/**
 * ws's server options as a wstack handshake policy: `path`, `verifyClient`,
 * `handleProtocols` (ws's default picks the client's first offer),
 * `perMessageDeflate` (off by default, as in ws), `maxPayload` and
 * `autoPong`, and the answer's extra header lines from 'headers' listeners.
 * One policy serves every transport: over HTTP/2 and HTTP/3, the hooks get
 * a request shaped like node:http's (requestOf).
 */
import type { IncomingMessage } from 'node:http';
import { reject, type Rejection, type ServerOptions, type UpgradeRequest, type WebSocketConnection } from '@wstack/core';
import { WS_MAX_PAYLOAD } from './client-options.js';
import { deflateSetting, type WsPerMessageDeflate } from './deflate-options.js';

/** What verifyClient is given. */
export interface VerifyClientInfo {
  origin: string | undefined;
  secure: boolean;
  req: IncomingMessage;
}
export type VerifyClientCallback = (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;
export type VerifyClient = ((info: VerifyClientInfo) => boolean) | ((info: VerifyClientInfo, callback: VerifyClientCallback) => void);

export interface WsHandshakeOptions {
  /** Only requests for this pathname (the query aside) are served. */
  path?: string;
  verifyClient?: VerifyClient;
  handleProtocols?: (protocols: Set<string>, request: IncomingMessage) => string | false;
  /** Default false, as in ws. */
  perMessageDeflate?: boolean | WsPerMessageDeflate;
  /** Default 100 MiB. */
  maxPayload?: number;
  /** Default true. */
  autoPong?: boolean;
}

export interface PolicyHooks {
  /** An accepted WebSocket and the request it came with. */
  accepted(connection: WebSocketConnection, request: IncomingMessage): void;
  /** The answer's header lines, for 'headers' listeners to change; the lines they add are sent. */
  answerLines(lines: string[], request: IncomingMessage): void;
}

/** The request a ws handler expects: node:http's own over HTTP/1.1, one shaped like it over HTTP/2 and HTTP/3. */
const shaped = new WeakMap<UpgradeRequest, IncomingMessage>();
export function requestOf(request: UpgradeRequest): IncomingMessage {
  if (request.incomingMessage !== undefined) return request.incomingMessage;
  let like = shaped.get(request);
  if (like === undefined) {
    const socket = { remoteAddress: request.remoteAddress, encrypted: true };
    like = {
      method: 'GET',
      url: request.path,
      httpVersion: request.transport === 'h2' ? '2.0' : '3.0',
      headers: { host: request.authority, ...request.headers },
      socket,
      connection: socket,
    } as unknown as IncomingMessage;
    shaped.set(request, like);
  }
  return like;
}

/** Whether the request is for the server's `path` (ws's shouldHandle). */
export function pathMatches(path: string | undefined, url: string | undefined): boolean {
  if (path === undefined) return true;
  const target = url ?? '/';
  const query = target.indexOf('?');
  return (query === -1 ? target : target.slice(0, query)) === path;
}

/**
 * The hooks are read from `options` at each request, not once: libraries
 * set them on a server already made (graphql-ws assigns
 * `options.handleProtocols`), as ws allows.
 */
export function handshakePolicy(options: WsHandshakeOptions, hooks: PolicyHooks): ServerOptions {
  return {
    handler: (connection, request) => hooks.accepted(connection, requestOf(request)),
    // ws's default: the first subprotocol the client offered.
    protocols: (offered, request) => (options.handleProtocols === undefined ? offered[0] : options.handleProtocols(new Set(offered), requestOf(request)) || undefined),
    authenticate: (request: UpgradeRequest) => (options.verifyClient === undefined ? true : verify(options.verifyClient, request)),
    answerHeaders: (request) => {
      const lines: string[] = [];
      hooks.answerLines(lines, requestOf(request));
      return headerFields(lines);
    },
    ...(options.perMessageDeflate ? { perMessageDeflate: deflateSetting(options.perMessageDeflate === true ? {} : options.perMessageDeflate) } : {}),
    maxMessageSize: options.maxPayload ?? WS_MAX_PAYLOAD,
    ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
  };
}

/** verifyClient, sync (one argument) or with a callback; a refusal is 401 unless it says otherwise, as in ws. */
function verify(verifyClient: VerifyClient, request: UpgradeRequest): boolean | Rejection | Promise<boolean | Rejection> {
  const info: VerifyClientInfo = { origin: request.origin, secure: request.transport !== 'http/1.1' || isEncrypted(request), req: requestOf(request) };
  if (verifyClient.length < 2) return (verifyClient as (info: VerifyClientInfo) => boolean)(info) ? true : reject(401);
  return new Promise((resolve) => {
    (verifyClient as (info: VerifyClientInfo, callback: VerifyClientCallback) => void)(info, (result, code = 401, message, headers) => {
      resolve(result ? true : reject(code, message, headers));
    });
  });
}

function isEncrypted(request: UpgradeRequest): boolean {
  return Boolean((request.incomingMessage?.socket as { encrypted?: boolean } | undefined)?.encrypted);
}

/** "Name: value" lines as header fields; a name given more than once keeps every value (Set-Cookie). */
function headerFields(lines: readonly string[]): Record<string, string | string[]> | undefined {
  const fields: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const existing = fields[name];
    fields[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return Object.keys(fields).length === 0 ? undefined : fields;
}
