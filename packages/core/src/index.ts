/**
 * @wstack/core: the WebSocket runtime every transport shares: the
 * connection over a Carrier, upgrade policy, and what a transport plugs
 * into (TransportServer, TransportClient, OriginPool). The protocol itself,
 * without I/O, is @wstack/protocol.
 */

// The connection, whatever the transport.
export { WebSocketConnection, ReadyState, DEFAULT_HIGH_WATER_MARK, DEFAULT_CLOSE_TIMEOUT, DEFAULT_MAX_SEND_BUFFER } from './connection.js';
export type { ConnectionOptions, ClientHandshakeOptions, TunnelOffer, ConnectionEvents, CloseDetails, Negotiated, ReadyStateValue, Message, MessageCounts } from './connection.js';
export type { SendData, SendOptions } from './send-data.js';
export { MessageWriter } from './message-writer.js';
export type { FragmentData } from './message-writer.js';
export { PreparedMessage } from './prepared-message.js';
export { Topics, DEFAULT_MAX_BUFFERED_AMOUNT } from './topics.js';
export type { TopicsLike, TopicsOptions, PublishOptions, PublishResult, SlowReceiverPolicy, Subscriber } from './topics.js';
export { RelayedTopics } from './relayed-topics.js';
export { canSharePort } from './share-port.js';
export type { RelayedMessage, TopicRelay, RelayFactory } from './relayed-topics.js';
export { TimeoutError, AbortError, TransportResetError, SendBufferFullError, GoneAwayError } from './errors.js';

// The server's policy.
export { reject, statusText, handshakeDeadlines, DEFAULT_HANDSHAKE_TIMEOUT } from './upgrade-policy.js';
export type { UpgradeRequest, AnswerHeaders, Rejection, AuthResult, ConnectionHandler, TunnelHandler, TunnelPolicy, ServerPolicy, ServerOptions, AcceptedTerms } from './upgrade-policy.js';

// Options checked by name at the public entry points.
export { checkOptions, optionNameSet, CONNECTION_OPTION_NAMES, SERVER_OPTION_NAMES, CLIENT_HANDSHAKE_OPTION_NAMES, WS_SERVER_OPTION_ADVICE, WS_CLIENT_OPTION_ADVICE } from './option-names.js';
export type { OptionNames, OptionAdvice } from './option-names.js';

// Tunnels: a WebSocket's bytes, unparsed (wstack bridge).
export { Tunnel, pipeTunnels } from './tunnel.js';
export type { TunnelEvents } from './tunnel.js';

// What a transport plugs into.
export type { Carrier, CarrierEvents, Transport } from './carrier.js';
export { FlushWaiters } from './flush-waiters.js';
export { TransportServer, DEFAULT_SHUTDOWN_TIMEOUT } from './accept.js';
export type { ServerEvents, IncomingHandshake, ShutdownResult } from './accept.js';
export { connectOver, tunnelOver } from './client-handshake.js';
export { CLIENT_CHANNELS } from './client-channels.js';
export type { TransportClient, OutgoingHandshake, HandshakeAnswer } from './client-handshake.js';
export { OriginPool } from './origin-pool.js';
export type { PooledSession, OriginLease, Wait } from './origin-pool.js';
export { Deadline } from './deadline.js';
export { createMemoryCarrierPair } from './memory-carrier.js';
export type { MemoryCarrierOptions } from './memory-carrier.js';

// Ordinary requests of HTTP/2 and HTTP/3 for node:http request listeners.
export { serveExchange } from './request-exchange.js';
export { withAltSvc } from './alt-svc.js';
export type { RequestExchange, RequestBodySink, ExchangePeer } from './exchange.js';
export type { FieldList } from './response-head.js';
