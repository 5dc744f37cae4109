/**
 * ws's client options, as wstack's connect takes them: `maxPayload` is
 * `maxMessageSize`, node:tls's fields go into `tls`, and ws's defaults
 * hold (permessage-deflate offered, 100 MiB messages, HTTP/1.1). `transport`
 * picks HTTP/2, HTTP/3 or the best the server speaks.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { PerMessageDeflateSetting } from '@wstack/protocol';
import type { WebSocketConnection } from '@wstack/core';
import type { ClientOptions, ClientTransport } from '../connect.js';
import { deflateSetting, type WsPerMessageDeflate } from './deflate-options.js';

/** ws's default for both sides: 100 MiB. */
export const WS_MAX_PAYLOAD = 100 * 1024 * 1024;

const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername', 'checkServerIdentity', 'ciphers', 'ecdhCurve', 'minVersion', 'maxVersion'] as const;

export interface WsClientOptions extends Pick<TlsOptions, (typeof TLS_FIELDS)[number]> {
  /**
   * Default h1, as ws connects; h2 or h3 for those, or auto for the best the
   * server speaks (wstack's connect).
   */
  transport?: ClientTransport;
  handshakeTimeout?: number;
  /** Default true: offered with ws's defaults. */
  perMessageDeflate?: boolean | WsPerMessageDeflate;
  /** Default 100 MiB. */
  maxPayload?: number;
  headers?: OutgoingHttpHeaders;
  origin?: string;
  /** 13 only (RFC 6455). */
  protocolVersion?: number;
  /** Default true (RFC 6455 §5.5.2). */
  autoPong?: boolean;
  /** TLS for wss:// as wstack's connect takes it; the node:tls fields above are merged into it. */
  tls?: TlsOptions;
  // Accepted for ws compatibility, without effect: wstack validates UTF-8 always, follows no redirect, and picks its own sockets.
  skipUTF8Validation?: boolean;
  followRedirects?: boolean;
  maxRedirects?: number;
  allowSynchronousEvents?: boolean;
  family?: number;
}

/** What `upgrade` listeners get: the handshake's answer. */
export interface UpgradeResponse {
  statusCode: number;
  headers: Record<string, unknown>;
}

export function clientOptions(protocols: string[], options: WsClientOptions, signal: AbortSignal): { options: ClientOptions; upgradeResponse: (connection: WebSocketConnection) => UpgradeResponse } {
  if (options.protocolVersion !== undefined && options.protocolVersion !== 13) {
    throw new RangeError(`Unsupported protocol version: ${options.protocolVersion} (supported versions: 13)`);
  }
  const tls: TlsOptions = { ...options.tls };
  for (const field of TLS_FIELDS) if (options[field] !== undefined) (tls as Record<string, unknown>)[field] = options[field];
  const perMessageDeflate: PerMessageDeflateSetting | false = options.perMessageDeflate === false ? false : deflateSetting(options.perMessageDeflate === true || options.perMessageDeflate === undefined ? {} : options.perMessageDeflate);
  const connectOptions: ClientOptions = {
    protocols,
    signal,
    maxMessageSize: options.maxPayload ?? WS_MAX_PAYLOAD,
    ...(perMessageDeflate === false ? {} : { perMessageDeflate }),
    transport: options.transport ?? 'h1',
    ...(options.handshakeTimeout !== undefined ? { handshakeTimeout: options.handshakeTimeout } : {}),
    ...(options.headers !== undefined ? { headers: options.headers as Record<string, string> } : {}),
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
    ...(options.autoPong !== undefined ? { autoPong: options.autoPong } : {}),
    ...(Object.keys(tls).length !== 0 ? { tls } : {}),
  };
  const upgradeResponse = (connection: WebSocketConnection): UpgradeResponse => ({
    statusCode: connection.transport === 'http/1.1' ? 101 : 200,
    headers: { ...connection.headers },
  });
  return { options: connectOptions, upgradeResponse };
}
