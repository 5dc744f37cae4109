/** @wstack/http1: WebSocket over HTTP/1.1 (RFC 6455), server and client. */
export { WebSocketServer } from './server.js';
export type { Http1ServerOptions, ListenOptions, HandleUpgradeOptions } from './server.js';
export type { UpgradeEmitter } from './upgrade-gate.js';
export { connect, http1Client } from './client.js';
export { parseWebSocketUrl } from '@wstack/protocol';
export type { Http1ClientOptions } from './client.js';
export { checkUpgradeRequest, hasToken, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_COUNT } from './request-checks.js';
export type { HeaderLimits, RequestHead, CheckedRequest } from './request-checks.js';
export { SocketCarrier } from './socket-carrier.js';
