/** @wstack/http2: WebSocket over HTTP/2 extended CONNECT (RFC 8441), server and client. */
export { WebSocketServer, http2ServerOptions } from './server.js';
export type { Http2ServerOptions, ListenOptions } from './server.js';
export type { Http1UpgradeHandler } from './own-server.js';
export type { RequestListener } from './responses.js';
export { connect, defaultPool, http2Client } from './client.js';
export type { Http2ClientOptions } from './client.js';
export { SessionPool } from './session-pool.js';
export type { SessionPoolOptions, SessionLease } from './session-pool.js';
export { parseWebSocketUrl } from '@wstack/protocol';
export { checkConnectRequest, H2_WEBSOCKET_VERSION, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_COUNT } from './request-checks.js';
export type { HeaderLimits, CheckedConnect } from './request-checks.js';
export { StreamCarrier } from './stream-carrier.js';
export { CONNECTION_PREFACE, judgePreface } from './preface-sniffer.js';
export { AbortError, SessionTimeoutError } from './errors.js';
export {
  DEFAULT_STREAM_WINDOW_SIZE,
  DEFAULT_CONNECTION_WINDOW_SIZE,
  DEFAULT_MAX_CONCURRENT_STREAMS,
  DEFAULT_MAX_SESSION_MEMORY,
  DEFAULT_MAX_BYTES_IN_FLIGHT,
  DEFAULT_SESSION_PING_INTERVAL,
} from './tuning.js';
export type { Http2Tuning } from './tuning.js';
