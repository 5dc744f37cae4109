/**
 * `connect`: a WebSocket client over the transport the caller names, or the
 * best one the server speaks; `openTunnel`, the same handshake for a tunnel
 * (wstack bridge).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { parseWebSocketUrl } from '@wstack/protocol';
import {
  checkOptions,
  connectOver,
  optionNameSet,
  tunnelOver,
  CLIENT_HANDSHAKE_OPTION_NAMES,
  WS_CLIENT_OPTION_ADVICE,
  type ClientHandshakeOptions,
  type OptionNames,
  type TransportClient,
  type Tunnel,
  type TunnelOffer,
  type WebSocketConnection,
} from '@wstack/core';
import { http1Client, type Http1ClientOptions } from '@wstack/http1';
import { defaultPool as http2Pool, http2Client, type Http2ClientOptions } from '@wstack/http2';
import type { Http3ClientTls, SessionPool as Http3SessionPool } from '@wstack/http3';
import { connectAuto, http3Target, transportOrder, type Opened, type Transport } from './auto-connect.js';
import { loadHttp3 } from './http3-loader.js';

export const CLIENT_TRANSPORTS = ['auto', 'h1', 'h2', 'h3'] as const;
export type ClientTransport = (typeof CLIENT_TRANSPORTS)[number];

export interface ClientOptions extends Omit<Http1ClientOptions, 'headers'>, Http2ClientOptions {
  /**
   * h1: HTTP/1.1 Upgrade (RFC 6455); h2: HTTP/2 extended CONNECT (RFC 8441);
   * h3: HTTP/3 extended CONNECT (RFC 9220, wss:// only); auto (default):
   * the best the server speaks (see auto-connect.ts).
   */
  transport?: ClientTransport;
  /** The QUIC connections HTTP/3 WebSockets share; default: one pool for the process. */
  http3Pool?: Http3SessionPool;
}

export function isClientTransport(name: string): name is ClientTransport {
  return (CLIENT_TRANSPORTS as readonly string[]).includes(name);
}

const CLIENT_OPTIONS: OptionNames<ClientOptions> = { ...CLIENT_HANDSHAKE_OPTION_NAMES, headers: true, tls: true, pool: true, transport: true, http3Pool: true };
const CONNECT_OPTIONS = optionNameSet(CLIENT_OPTIONS);
const TUNNEL_OPTIONS = optionNameSet<ClientOptions & TunnelOffer>({ ...CLIENT_OPTIONS, extensions: true });

/** Opens a WebSocket over the transport asked for, or the best one. An option it does not know rejects with a TypeError. */
export async function connect(input: string | URL, options: ClientOptions = {}): Promise<WebSocketConnection> {
  checkOptions(options, CONNECT_OPTIONS, 'connect', WS_CLIENT_OPTION_ADVICE);
  return dial(input, options, connectOver);
}

/** A tunnel (a WebSocket's bytes, unparsed) over the transport asked for, after the same handshake as `connect`. */
export async function openTunnel(input: string | URL, options: ClientOptions & TunnelOffer = {}): Promise<Tunnel> {
  checkOptions(options, TUNNEL_OPTIONS, 'openTunnel', WS_CLIENT_OPTION_ADVICE);
  return dial(input, options, (client, target, transportOptions) => tunnelOver(client, target, { ...transportOptions, extensions: options.extensions }));
}

/** What a handshake over a transport's client ends in: connectOver or tunnelOver. */
type Open<T> = <O extends ClientHandshakeOptions>(client: TransportClient<O>, target: string | URL, options: O) => Promise<T>;

type TransportOptions = Omit<ClientOptions, 'transport'>;

/** The clients by transport, each given the options it takes; HTTP/3's module loads on first use. */
const CLIENTS: { [K in Transport]: <T>(open: Open<T>, target: string | URL, options: TransportOptions) => Promise<T> } = {
  h1: (open, target, { http3Pool: _, ...options }) => open(http1Client, target, { ...options, headers: options.headers as OutgoingHttpHeaders | undefined }),
  h2: (open, target, { http3Pool: _, ...options }) => open(http2Client, target, options),
  h3: async (open, target, { tls, pool: _, http3Pool, ...options }) =>
    open((await loadHttp3()).http3Client, target, { ...options, tls: quicTls(tls), ...(http3Pool ? { pool: http3Pool } : {}) }),
};

async function dial<T extends Opened>(input: string | URL, options: ClientOptions, open: Open<T>): Promise<T> {
  const { transport = 'auto', ...rest } = options;
  const over = (transport: Transport, signal: AbortSignal | undefined, target: string | URL = input): Promise<T> =>
    CLIENTS[transport](open, target, { ...rest, ...(signal ? { signal } : {}) });
  switch (transport) {
    case 'h1':
    case 'h2':
    case 'h3':
      return over(transport, rest.signal);
    case 'auto': {
      const url = parseWebSocketUrl(input);
      const http3 = url.protocol === 'wss:' ? await loadHttp3().catch(() => undefined) : undefined;
      const order = transportOrder(url, {
        h2Session: (rest.pool ?? http2Pool).hasSession(url, rest.tls),
        h3Session: http3 !== undefined && (rest.http3Pool ?? http3.defaultPool).hasSession(url, quicTls(rest.tls)),
        http3Possible: http3 !== undefined,
      });
      // HTTP/3 goes where an Alt-Svc answer pointed, if one did.
      return connectAuto(url, order, (transport, signal) => over(transport, signal, transport === 'h3' ? http3Target(url) : url), rest.signal);
    }
    default:
      throw new TypeError(`unknown transport ${JSON.stringify(transport)}; expected one of ${CLIENT_TRANSPORTS.join(', ')}`);
  }
}

/** The TLS options of the TCP clients, as the QUIC client takes them. */
function quicTls(tls: TlsConnectionOptions | undefined): Http3ClientTls {
  if (tls === undefined) return {};
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca as Http3ClientTls['ca'] & object } : {}),
    ...(tls.servername !== undefined ? { serverName: tls.servername } : {}),
    ...(tls.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
}
