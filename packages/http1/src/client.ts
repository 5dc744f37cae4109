/**
 * WebSocket client over HTTP/1.1 (RFC 6455 §4.1): sends the opening
 * handshake and checks the server's answer; core's connectOver (or
 * tunnelOver) makes a connection (or a tunnel) of it.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { acceptKey, generateKey, HandshakeError } from '@wstack/protocol';
import {
  checkOptions,
  connectOver,
  optionNameSet,
  CLIENT_HANDSHAKE_OPTION_NAMES,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_HIGH_WATER_MARK,
  WS_CLIENT_OPTION_ADVICE,
  type ClientHandshakeOptions,
  type HandshakeAnswer,
  type OutgoingHandshake,
  type TransportClient,
  type WebSocketConnection,
} from '@wstack/core';
import { hasToken } from './request-checks.js';
import { SocketCarrier } from './socket-carrier.js';

export interface Http1ClientOptions extends ClientHandshakeOptions {
  /** Extra request headers. */
  headers?: OutgoingHttpHeaders;
  /** TLS options for wss:// (ca, servername, rejectUnauthorized, cert, key, …). */
  tls?: TlsConnectionOptions;
}

/** The HTTP/1.1 client: the Upgrade request of RFC 6455 §4.1 and the checks of its 101 answer. */
export const http1Client: TransportClient<Http1ClientOptions> = { transport: 'http/1.1', handshake };

const OPTIONS = optionNameSet<Http1ClientOptions>({ ...CLIENT_HANDSHAKE_OPTION_NAMES, headers: true, tls: true });

/** Opens a WebSocket over HTTP/1.1 to a ws:// or wss:// URL. An option it does not know rejects with a TypeError. */
export async function connect(input: string | URL, options: Http1ClientOptions = {}): Promise<WebSocketConnection> {
  checkOptions(options, OPTIONS, 'the http1 connect', WS_CLIENT_OPTION_ADVICE);
  return connectOver(http1Client, input, options);
}

/** The opening handshake (RFC 6455 §4.1): the request, then the checks of the answer that are HTTP/1.1's own. */
function handshake({ url, protocols, extensions }: OutgoingHandshake, options: Http1ClientOptions): Promise<HandshakeAnswer> {
  const secure = url.protocol === 'wss:';
  const key = generateKey();
  const headers: OutgoingHttpHeaders = {
    ...options.headers,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
  };
  if (protocols.length !== 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
  if (extensions !== undefined) headers['Sec-WebSocket-Extensions'] = extensions;
  if (options.origin !== undefined) headers.Origin = options.origin;
  const request = (secure ? httpsRequest : httpRequest)({
    ...(secure ? options.tls : undefined),
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (secure ? 443 : 80),
    path: url.pathname + url.search,
    headers,
    agent: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return new Promise((resolve, reject) => {
    const timeout = options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT;
    const timer = setTimeout(() => {
      request.destroy(new HandshakeError('TIMEOUT', `no handshake answer from ${url.host} within ${timeout} ms`));
    }, timeout);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    request.on('error', fail);
    request.on('response', (response: IncomingMessage) => {
      // node:http passes a 101 here (not to 'upgrade') when Upgrade or Connection is missing.
      if (response.statusCode === 101) {
        request.destroy();
        return fail(new HandshakeError('INVALID_UPGRADE', 'the 101 answer lacks Upgrade: websocket or Connection: Upgrade'));
      }
      // Anything else: read a little of the body for the error message.
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        if (body.length < 512) body += text;
      });
      response.on('end', () => {
        const snippet = body.trim().slice(0, 200);
        fail(new HandshakeError('UNEXPECTED_STATUS', `server answered ${response.statusCode}${snippet ? `: ${snippet}` : ''}`, response.statusCode));
      });
      response.on('error', fail);
    });
    request.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      clearTimeout(timer);
      try {
        checkUpgradeAnswer(response, key);
      } catch (error) {
        socket.destroy();
        return reject(error);
      }
      resolve({
        headers: response.headers,
        carrier: () => new SocketCarrier(socket, head, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK),
        abandon: () => socket.destroy(),
      });
    });
    request.end();
  });
}

/** The client's checks of the 101 answer that are HTTP/1.1's own (RFC 6455 §4.1, items 2–4 of the answer's validation). */
function checkUpgradeAnswer(response: IncomingMessage, key: string): void {
  const headers = response.headers;
  if (!hasToken(headers.upgrade, 'websocket')) throw new HandshakeError('INVALID_UPGRADE', 'the answer lacks Upgrade: websocket');
  if (!hasToken(headers.connection, 'upgrade')) throw new HandshakeError('INVALID_UPGRADE', 'the answer lacks Connection: Upgrade');
  if (headers['sec-websocket-accept'] !== acceptKey(key)) {
    throw new HandshakeError('INVALID_ACCEPT', `Sec-WebSocket-Accept is ${JSON.stringify(headers['sec-websocket-accept'] ?? null)}, expected ${acceptKey(key)}`);
  }
}
