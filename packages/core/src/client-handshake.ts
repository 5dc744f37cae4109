/**
 * The client's side of a handshake, the same for every transport: the
 * transport sends the request and checks what its own framing requires
 * (RFC 6455 §4.1's Upgrade, Connection and Sec-WebSocket-Accept; the 200 of
 * RFC 8441 §5 and RFC 9220 §3); the subprotocol and extension answers are
 * checked here, and the stream becomes a connection, whose
 * permessage-deflate offer and answer follow RFC 7692, or a tunnel
 * (tunnel.ts), whose extension offer goes out as given and whose answer is
 * taken unchecked, since the peer at the tunnel's far end applies the
 * extensions.
 */
import { checkClientExtensions, checkSubprotocolAnswer, clientExtensionOffer, compressionOptions, parseWebSocketUrl, type AgreedExtensions } from '@wstack/protocol';
import type { Carrier, Transport } from './carrier.js';
import { WebSocketConnection } from './connection.js';
import type { ClientHandshakeOptions, Negotiated, TunnelOffer } from './connection-types.js';
import { Tunnel } from './tunnel.js';
import { publishClientFailure, publishClientOpen } from './client-channels.js';

/** The handshake request's WebSocket fields, as a transport sends them. */
export interface OutgoingHandshake {
  url: URL;
  /** Sec-WebSocket-Protocol, in order of preference; none when empty. */
  protocols: readonly string[];
  /** Sec-WebSocket-Extensions, if any. */
  extensions: string | undefined;
}

/** A successful answer (101, or 200 on the stream), checked as far as the transport's framing goes. */
export interface HandshakeAnswer {
  /** The answer's header fields, names in lower case. */
  headers: Readonly<Record<string, string | string[] | number | undefined>>;
  /** Makes the carrier, once the answer is accepted. */
  carrier(): Carrier;
  /** What the carrier became: the transport ties it to its session, if it has one. */
  opened?(opened: WebSocketConnection | Tunnel): void;
  /** The answer failed the checks here: the transport drops the stream (and what it holds for it). */
  abandon(): void;
}

/** A transport's client, as `connectOver` and `tunnelOver` use it. */
export interface TransportClient<O extends ClientHandshakeOptions = ClientHandshakeOptions> {
  readonly transport: Transport;
  /** Sends the handshake request and waits for its answer; fails with HandshakeError (or TimeoutError, AbortError). */
  handshake(request: OutgoingHandshake, options: O): Promise<HandshakeAnswer>;
}

/** Opens a WebSocket over the transport; its open, close and a failed handshake are published (client-channels.ts). */
export async function connectOver<O extends ClientHandshakeOptions>(client: TransportClient<O>, input: string | URL, options: O): Promise<WebSocketConnection> {
  const url = typeof input === 'string' ? input : input.href;
  let connection: WebSocketConnection;
  try {
    connection = await handshakeOver(client, input, options, connectionEnding(options));
  } catch (error) {
    publishClientFailure(client.transport, url, error);
    throw error;
  }
  publishClientOpen(connection, url);
  return connection;
}

/** Opens a tunnel over the transport: the handshake of `connectOver`, with the extension offer as given. */
export function tunnelOver<O extends ClientHandshakeOptions>(client: TransportClient<O>, input: string | URL, options: O & TunnelOffer): Promise<Tunnel> {
  return handshakeOver(client, input, options, tunnelEnding(options));
}

async function handshakeOver<O extends ClientHandshakeOptions, T extends WebSocketConnection | Tunnel>(
  client: TransportClient<O>,
  input: string | URL,
  options: O,
  ending: HandshakeEnding<T>,
): Promise<T> {
  const url = parseWebSocketUrl(input);
  const protocols = options.protocols ?? [];
  const answer = await client.handshake({ url, protocols, extensions: ending.offer }, options);
  let opened: T;
  try {
    // RFC 6455 §4.1, items 5 and 6 of the answer's validation, kept by RFC 8441 §5 and RFC 9220 §3.
    const protocol = checkSubprotocolAnswer(protocols, single(answer.headers['sec-websocket-protocol']));
    const { extensions, deflate } = ending.agree(single(answer.headers['sec-websocket-extensions']));
    opened = ending.open(answer.carrier(), { protocol, extensions, ...(deflate ? { deflate } : {}), path: url.pathname + url.search, headers: answer.headers });
  } catch (error) {
    answer.abandon();
    throw error;
  }
  answer.opened?.(opened);
  return opened;
}

function single(value: string | string[] | number | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
}

/** What a handshake ends in: its extension offer, the check of the answer, and what the carrier becomes. */
export interface HandshakeEnding<T> {
  /** The Sec-WebSocket-Extensions value to send, if any. */
  offer: string | undefined;
  /** Checks the answer's Sec-WebSocket-Extensions (RFC 6455 §4.1, item 5 of the answer's validation). */
  agree(answer: string | undefined): AgreedExtensions;
  open(carrier: Carrier, negotiated: Negotiated): T;
}

export function connectionEnding(options: ClientHandshakeOptions): HandshakeEnding<WebSocketConnection> {
  const deflate = options.perMessageDeflate;
  return {
    offer: clientExtensionOffer(deflate),
    agree: (answer) => checkClientExtensions(deflate, answer),
    open: (carrier, negotiated) => new WebSocketConnection('client', carrier, negotiated, { ...options, compression: compressionOptions(deflate) }),
  };
}

export function tunnelEnding(options: TunnelOffer): HandshakeEnding<Tunnel> {
  return {
    offer: options.extensions,
    agree: (answer) => ({ extensions: answer ?? '' }),
    open: (carrier, negotiated) => new Tunnel(carrier, negotiated),
  };
}
