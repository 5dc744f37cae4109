/** `connect`: a WebSocket client over the transport the caller names. */
import type { OutgoingHttpHeaders } from 'node:http';
import type { WebSocketConnection } from '@wstack/core';
import { connect as connectHttp1, type Http1ClientOptions } from '@wstack/http1';
import { connect as connectHttp2, type Http2ClientOptions } from '@wstack/http2';

export const CLIENT_TRANSPORTS = ['h1', 'h2'] as const;
export type ClientTransport = (typeof CLIENT_TRANSPORTS)[number];

export interface ClientOptions extends Omit<Http1ClientOptions, 'headers'>, Http2ClientOptions {
  /** h1: HTTP/1.1 Upgrade (RFC 6455); h2: HTTP/2 extended CONNECT (RFC 8441). Default h1. */
  transport?: ClientTransport;
}

export function isClientTransport(name: string): name is ClientTransport {
  return (CLIENT_TRANSPORTS as readonly string[]).includes(name);
}

export function connect(url: string | URL, options: ClientOptions = {}): Promise<WebSocketConnection> {
  const { transport = 'h1', ...rest } = options;
  switch (transport) {
    case 'h1':
      return connectHttp1(url, { ...rest, headers: rest.headers as OutgoingHttpHeaders | undefined });
    case 'h2':
      return connectHttp2(url, rest);
    default:
      throw new TypeError(`unknown transport ${JSON.stringify(transport)}; expected one of ${CLIENT_TRANSPORTS.join(', ')}`);
  }
}
