/**
 * wstack: WebSocket for Node.js over HTTP/1.1, HTTP/2 and HTTP/3. This
 * entry is what an application needs, named one by one: the server and the
 * client over every transport, the connection and its options, the errors
 * it may meet. The layers below have entries of their own:
 * @wstack/protocol (the protocol without I/O), @wstack/core (the runtime
 * and what a transport plugs into), the transports, @wstack/dev-cert.
 */

// Server and client over every transport.
export { createServer, Server } from './server.js';
export type { CreateServerOptions, ServedTransport } from './server.js';
export { connect, openTunnel, CLIENT_TRANSPORTS } from './connect.js';
export type { ClientOptions, ClientTransport } from './connect.js';
export { ConnectError, forgetTransports, FALLBACK_DELAY } from './auto-connect.js';
export type { Attempt } from './auto-connect.js';
export { WebSocket, CloseEvent } from './websocket.js';
export type { BinaryType, WebSocketOptions } from './websocket.js';
export { staticFiles } from './static-files.js';
export { CHANNELS as diagnosticsChannels } from './observe.js';
export { CLIENT_CHANNELS as clientDiagnosticsChannels } from '@wstack/core';
export type { ServerStats, TransportStats } from './observe.js';

// One transport alone (HTTP/3's module is loaded on demand: @wstack/http3).
export { WebSocketServer as Http1Server, connect as connectHttp1 } from '@wstack/http1';
export type { Http1ServerOptions, Http1ClientOptions, HandleUpgradeOptions } from '@wstack/http1';
export { WebSocketServer as Http2Server, connect as connectHttp2, SessionPool, http2ServerOptions } from '@wstack/http2';
export type { Http2ServerOptions, Http2ClientOptions } from '@wstack/http2';

// The connection, whatever the transport.
export { WebSocketConnection, ReadyState, MessageWriter, PreparedMessage, Topics, RelayedTopics, Tunnel, reject, canSharePort } from '@wstack/core';

// Topics across the workers of one machine (node:cluster); across machines, @wstack/redis.
export { workerTopics } from './workers/worker-topics.js';
export type { WorkerTopics, WorkerPublishReceipt } from './workers/worker-topics.js';
export { relayWorkerTopics } from './workers/primary-relay.js';
export type {
  ConnectionOptions,
  ClientHandshakeOptions,
  ConnectionEvents,
  CloseDetails,
  MessageCounts,
  ReadyStateValue,
  Message,
  SendData,
  SendOptions,
  FragmentData,
  Transport,
  TopicsOptions,
  TopicsLike,
  RelayedMessage,
  TopicRelay,
  RelayFactory,
  PublishOptions,
  PublishResult,
  SlowReceiverPolicy,
  TunnelOffer,
  TunnelEvents,
  TunnelHandler,
  TunnelPolicy,
  UpgradeRequest,
  Rejection,
  AuthResult,
  ConnectionHandler,
  ServerOptions,
  ServerPolicy,
  ServerEvents,
  ShutdownResult,
} from '@wstack/core';
export type { Role, ExtensionOffer, ExtensionParamValue, PerMessageDeflateOptions, PerMessageDeflateSetting, CompressionOptions } from '@wstack/protocol';

// Errors.
export { TimeoutError, AbortError, TransportResetError, SendBufferFullError, GoneAwayError } from '@wstack/core';
export { CloseCode, HandshakeError, ProtocolError, UsageError, UrlError } from '@wstack/protocol';
export type { HandshakeErrorCode, ProtocolErrorCode, UsageErrorCode } from '@wstack/protocol';
