/** `connect`: a WebSocket client over the transport the caller names, or the best one the server speaks. */
import type { OutgoingHttpHeaders } from 'node:http';
import { parseWebSocketUrl, type WebSocketConnection } from '@wstack/core';
import { connect as connectHttp1, type Http1ClientOptions } from '@wstack/http1';
import { connect as connectHttp2, defaultPool, type Http2ClientOptions } from '@wstack/http2';
import { connectAuto, transportOrder, type Transport } from './auto-connect.js';

export const CLIENT_TRANSPORTS = ['auto', 'h1', 'h2'] as const;
export type ClientTransport = (typeof CLIENT_TRANSPORTS)[number];

export interface ClientOptions extends Omit<Http1ClientOptions, 'headers'>, Http2ClientOptions {
  /**
   * h1: HTTP/1.1 Upgrade (RFC 6455); h2: HTTP/2 extended CONNECT (RFC 8441);
   * auto (default): HTTP/2 where the server allows it, else HTTP/1.1 (see auto-connect.ts).
   */
  transport?: ClientTransport;
}

export function isClientTransport(name: string): name is ClientTransport {
  return (CLIENT_TRANSPORTS as readonly string[]).includes(name);
}

export async function connect(input: string | URL, options: ClientOptions = {}): Promise<WebSocketConnection> {
  const { transport = 'auto', ...rest } = options;
  const over = (transport: Transport, signal: AbortSignal | undefined) =>
    transport === 'h2' ? connectHttp2(input, { ...rest, ...(signal ? { signal } : {}) }) : connectHttp1(input, { ...rest, headers: rest.headers as OutgoingHttpHeaders | undefined, ...(signal ? { signal } : {}) });
  switch (transport) {
    case 'h1':
    case 'h2':
      return over(transport, rest.signal);
    case 'auto': {
      const url = parseWebSocketUrl(input);
      return connectAuto(url, transportOrder(url, rest.pool ?? defaultPool, rest.tls), over, rest.signal);
    }
    default:
      throw new TypeError(`unknown transport ${JSON.stringify(transport)}; expected one of ${CLIENT_TRANSPORTS.join(', ')}`);
  }
}
