/**
 * WebSocket client over HTTP/1.1 (RFC 6455 §4.1): sends the opening
 * handshake, checks the server's answer, and hands back a connection, or a
 * tunnel (tunnel.ts in @wstack/core).
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { acceptKey, checkSubprotocolAnswer, generateKey, HandshakeError, parseWebSocketUrl } from '@wstack/protocol';
import { connectionEnding, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_HIGH_WATER_MARK, tunnelEnding, type ClientHandshakeOptions, type HandshakeEnding, type Tunnel, type TunnelOffer, type WebSocketConnection } from '@wstack/core';
import { hasToken } from './request-checks.js';
import { SocketCarrier } from './socket-carrier.js';

export interface Http1ClientOptions extends ClientHandshakeOptions {
  /** Extra request headers. */
  headers?: OutgoingHttpHeaders;
  /** TLS options for wss:// (ca, servername, rejectUnauthorized, cert, key, …). */
  tls?: TlsConnectionOptions;
}

/** Opens a WebSocket over HTTP/1.1 to a ws:// or wss:// URL. */
export async function connect(input: string | URL, options: Http1ClientOptions = {}): Promise<WebSocketConnection> {
  return handshake(input, options, connectionEnding(options));
}

/**
 * Opens a tunnel (tunnel.ts) over HTTP/1.1: the handshake of `connect`, but
 * the extension offer goes out as given and the answer is taken unchecked,
 * since the peer at the tunnel's far end applies the extensions.
 */
export async function openTunnel(input: string | URL, options: Http1ClientOptions & TunnelOffer = {}): Promise<Tunnel> {
  return handshake(input, options, tunnelEnding(options));
}

/** The opening handshake (RFC 6455 §4.1): the request, then the checks of the answer. */
async function handshake<T>(input: string | URL, options: Http1ClientOptions, ending: HandshakeEnding<T>): Promise<T> {
  const url = parseWebSocketUrl(input);
  const secure = url.protocol === 'wss:';
  const key = generateKey();
  const protocols = options.protocols ?? [];
  const headers: OutgoingHttpHeaders = {
    ...options.headers,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
  };
  if (protocols.length !== 0) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
  if (ending.offer !== undefined) headers['Sec-WebSocket-Extensions'] = ending.offer;
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
        const answer = checkAnswer(response, key, protocols, ending.agree);
        const carrier = new SocketCarrier(socket, head, options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
        resolve(ending.open(carrier, { ...answer, path: url.pathname + url.search, headers: response.headers }));
      } catch (error) {
        socket.destroy();
        reject(error);
      }
    });
    request.end();
  });
}

/** The client's checks of the 101 answer (RFC 6455 §4.1, items 1–6 of the answer's validation). */
function checkAnswer(response: IncomingMessage, key: string, protocols: readonly string[], agree: HandshakeEnding<unknown>['agree']) {
  const headers = response.headers;
  if (!hasToken(headers.upgrade, 'websocket')) throw new HandshakeError('INVALID_UPGRADE', 'the answer lacks Upgrade: websocket');
  if (!hasToken(headers.connection, 'upgrade')) throw new HandshakeError('INVALID_UPGRADE', 'the answer lacks Connection: Upgrade');
  if (headers['sec-websocket-accept'] !== acceptKey(key)) {
    throw new HandshakeError('INVALID_ACCEPT', `Sec-WebSocket-Accept is ${JSON.stringify(headers['sec-websocket-accept'] ?? null)}, expected ${acceptKey(key)}`);
  }
  const protocol = checkSubprotocolAnswer(protocols, headers['sec-websocket-protocol']);
  const { extensions, deflate } = agree(headers['sec-websocket-extensions']);
  return { protocol, extensions, ...(deflate ? { deflate } : {}) };
}
