/**
 * The types around WebSocketConnection: its options, events, close details
 * (and how they are worked out), and what a transport hands it after the
 * handshake.
 */
import { Buffer } from 'node:buffer';
import { ProtocolError, type CompressionOptions, type DeflateParams, type PerMessageDeflateSetting, type Protocol, type ProtocolOptions } from '@wstack/protocol';
import { GoneAwayError } from './errors.js';
import type { TopicsLike } from './topics.js';

export const ReadyState = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 } as const;
export type ReadyStateValue = (typeof ReadyState)[keyof typeof ReadyState];

export interface ConnectionOptions extends Omit<ProtocolOptions, 'role' | 'perMessageDeflate' | 'answerClose'> {
  /**
   * Bytes buffered (unsent, or received but not consumed by an async
   * iterator) above which `send` returns false and reading pauses.
   * Default 128 KiB.
   */
  highWaterMark?: number;
  /**
   * The most that may wait to be sent (`bufferedAmount`). A send made while
   * more waits is dropped, and the connection closes with 1008 and a
   * SendBufferFullError in its close details: the peer is not reading, and
   * an application that sends on after `send` returned false would
   * otherwise buffer without bound. What waits stays below the cap plus one
   * message. Default 16 MiB; Infinity turns the cap off.
   */
  maxBufferedAmount?: number;
  /** Send a ping after this many ms without hearing from the peer; 0 (default) turns keepalive off. */
  pingInterval?: number;
  /** Abort the connection when nothing arrives this many ms after a keepalive ping. Default: pingInterval. */
  pongTimeout?: number;
  /** Close with 1001 after this many ms without a message in either direction; 0 (default) is off. */
  idleTimeout?: number;
  /** After sending a close frame, abort the carrier if it is not closed within this many ms. Default 10 s. */
  closeTimeout?: number;
  /** How messages are compressed when permessage-deflate was negotiated. */
  compression?: CompressionOptions;
  /** The publish/subscribe groups `subscribe` joins (a server shares one among its connections). */
  topics?: TopicsLike;
}

/** What the client of every transport takes for its handshake, beside its TLS and connection sharing. */
export interface ClientHandshakeOptions extends ConnectionOptions {
  /** Subprotocols to offer, in order of preference. */
  protocols?: readonly string[];
  /** Sent as the origin header field. */
  origin?: string;
  /** Milliseconds the whole handshake may take (connection, settings, answer). Default 10 s. */
  handshakeTimeout?: number;
  /** Offer permessage-deflate (RFC 7692): true for the defaults, or its options. Default: off. */
  perMessageDeflate?: PerMessageDeflateSetting;
  /** Cancels the attempt. */
  signal?: AbortSignal;
}

/** What `tunnelOver` (client-handshake.ts) takes beside the handshake options. */
export interface TunnelOffer {
  /**
   * The `Sec-WebSocket-Extensions` offer, sent as is. The answer is not
   * checked against it and `perMessageDeflate` is not used: the tunnel
   * applies no extension, the peer at its far end does.
   */
  extensions?: string;
}

export const DEFAULT_HIGH_WATER_MARK = 128 * 1024;
export const DEFAULT_CLOSE_TIMEOUT = 10_000;
export const DEFAULT_MAX_SEND_BUFFER = 16 * 1024 * 1024;

/** What the handshake settled, handed to the connection by the transport. */
export interface Negotiated {
  /** The subprotocol in use, '' for none. */
  protocol?: string;
  /** The extensions in use, as the handshake's header value; '' for none. */
  extensions?: string;
  /** The request target, e.g. '/chat?room=1'. */
  path?: string;
  /** The agreed permessage-deflate parameters, when it was negotiated. */
  deflate?: DeflateParams;
  /** The peer's handshake fields, names in lower case: the answer's for a client, the request's for a server. */
  headers?: Readonly<Record<string, string | string[] | number | undefined>>;
}

/** What a connection carried so far: messages, and their payload bytes as the application sees them (before compression, once inflated). */
export interface MessageCounts {
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
}

export interface CloseDetails {
  /** The WebSocket Connection Close Code (RFC 6455 §7.1.5): the peer's, or 1005, or 1006. */
  code: number;
  reason: string;
  /** Both close frames were exchanged (§7.1.4). */
  wasClean: boolean;
  /** Why the connection failed, when it did: a ProtocolError, a carrier error, a timeout. */
  error?: Error;
}

/**
 * How a connection ended: clean when both close frames were exchanged
 * (RFC 6455 §7.1.4) and the peer broke no rule; the error is the first
 * failure, else the carrier's when the end was not clean.
 */
export function closeDetailsOf(protocol: Protocol, failure: Error | undefined, carrierError: Error | undefined): CloseDetails {
  const wasClean = protocol.closeSent !== undefined && protocol.closeReceived !== undefined && !(failure instanceof ProtocolError);
  // A transport whose peer sent GOAWAY and then went: 1001, as a close frame from it would have said.
  const goneAway = protocol.closeReceived === undefined && carrierError instanceof GoneAwayError;
  const details: CloseDetails = { code: goneAway ? 1001 : protocol.closeCode, reason: protocol.closeReason, wasClean };
  const cause = failure ?? (wasClean ? undefined : carrierError);
  if (cause !== undefined) details.error = cause;
  return details;
}

export interface ConnectionEvents {
  message: [data: Buffer, binary: boolean];
  ping: [data: Buffer];
  pong: [data: Buffer];
  /** The send buffer fell below the high-water mark after `send` returned false. */
  drain: [];
  /** Emitted only when a listener exists; the same error is in the close details. */
  error: [error: Error];
  close: [details: CloseDetails];
  /** Node's own: a listener is being added. */
  newListener: [event: string | symbol, listener: (...args: unknown[]) => void];
}
