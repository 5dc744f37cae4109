/**
 * What a client's handshake ends in, the same for every transport: a
 * connection, whose permessage-deflate offer and answer follow RFC 7692, or
 * a tunnel (tunnel.ts), whose extension offer goes out as given and whose
 * answer is taken unchecked, since the peer at the tunnel's far end applies
 * the extensions. Each client runs its handshake once and hands the result
 * to one of these.
 */
import type { Carrier } from './carrier.js';
import { WebSocketConnection, type ClientHandshakeOptions, type Negotiated, type TunnelOffer } from './connection.js';
import { checkClientExtensions, clientExtensionOffer, compressionOptions, type AgreedExtensions } from '@wstack/protocol';
import { Tunnel } from './tunnel.js';

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
