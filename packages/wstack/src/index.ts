/**
 * wstack: WebSocket for Node.js over HTTP/1.1, HTTP/2 and HTTP/3. This
 * entry point gathers the transports and the protocol core.
 */
export * from '@wstack/protocol';
export * from '@wstack/core';
export { WebSocketServer as Http1Server, connect as connectHttp1 } from '@wstack/http1';
export type { Http1ServerOptions, Http1ClientOptions } from '@wstack/http1';
export { WebSocketServer as Http2Server, connect as connectHttp2, SessionPool } from '@wstack/http2';
export type { Http2ServerOptions, Http2ClientOptions } from '@wstack/http2';
export { createServer, Server } from './server.js';
export { staticFiles } from './static-files.js';
export { CHANNELS as diagnosticsChannels } from './observe.js';
export type { ServerStats, TransportStats } from './observe.js';
export type { CreateServerOptions, ServedTransport } from './server.js';
export { connect, openTunnel, CLIENT_TRANSPORTS } from './connect.js';
export type { ClientOptions, ClientTransport } from './connect.js';
export { ConnectError, forgetTransports, FALLBACK_DELAY } from './auto-connect.js';
export type { Attempt } from './auto-connect.js';
export { WebSocket, CloseEvent } from './websocket.js';
export type { BinaryType, WebSocketOptions } from './websocket.js';
