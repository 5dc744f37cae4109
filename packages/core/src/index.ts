/**
 * @wstack/core: the WebSocket runtime every transport shares: the
 * connection over a Carrier, permessage-deflate's compressor, upgrade policy
 * and the client's handshake ending. The protocol itself, without I/O, is
 * @wstack/protocol.
 */
export { PerMessageDeflate } from './deflate.js';
export { Limiter, zlibLimiter } from './zlib-limiter.js';
export { WebSocketConnection, ReadyState, DEFAULT_HIGH_WATER_MARK, DEFAULT_CLOSE_TIMEOUT } from './connection.js';
export { toBuffer } from './send-data.js';
export type { SendData, SendOptions } from './send-data.js';
export { TimeoutError, AbortError, TransportResetError } from './errors.js';
export type { ConnectionOptions, ClientHandshakeOptions, TunnelOffer, ConnectionEvents, CloseDetails, Negotiated, ReadyStateValue, Message } from './connection.js';
export { MessageWriter } from './message-writer.js';
export type { FragmentData } from './message-writer.js';
export type { Carrier, CarrierEvents, Transport } from './carrier.js';
export { createMemoryCarrierPair } from './memory-carrier.js';
export type { MemoryCarrierOptions } from './memory-carrier.js';
export { decideUpgrade, reject, statusText, DEFAULT_HANDSHAKE_TIMEOUT } from './upgrade-policy.js';
export type { UpgradeRequest, Rejection, AuthResult, ConnectionHandler, TunnelHandler, TunnelPolicy, ServerPolicy, ServerOptions, Acceptance, AcceptedTerms, Decision } from './upgrade-policy.js';
export { Tunnel, pipeTunnels } from './tunnel.js';
export { connectOver, tunnelOver } from './client-handshake.js';
export type { TransportClient, OutgoingHandshake, HandshakeAnswer } from './client-handshake.js';
export { TransportServer } from './accept.js';
export { OriginPool } from './origin-pool.js';
export type { PooledSession, OriginLease, Wait } from './origin-pool.js';
export type { ServerEvents, IncomingHandshake } from './accept.js';
export type { TunnelEvents } from './tunnel.js';
export { PreparedMessage } from './prepared-message.js';
export { Topics, DEFAULT_MAX_BUFFERED_AMOUNT } from './topics.js';
export type { TopicsOptions, PublishOptions, PublishResult, SlowReceiverPolicy } from './topics.js';
export { Deadline } from './deadline.js';
