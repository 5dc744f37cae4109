/**
 * @wstack/http3: WebSocket over HTTP/3 extended CONNECT (RFC 9220), server
 * and client, on QUIC of its own driver over quiche's prebuilt native
 * module. Importing it fails with QuicUnavailableError where no native
 * module exists for the platform.
 */
export { QuicUnavailableError, ListenError, DialError } from './quic/errors.js';
export { WebSocketServer } from './server.js';
export type { Http3ServerOptions, Http3TlsOptions, ListenOptions, Http3Address } from './server.js';
export { connect, defaultPool, http3Client } from './client.js';
export type { Http3ClientOptions } from './client.js';
export { request } from './request-client.js';
export type { Http3RequestOptions, Http3Reply } from './request-client.js';
export { SessionPool } from './session-pool.js';
export type { SessionPoolOptions, SessionLease, Http3ClientTls } from './session-pool.js';
export { AbortError } from '@wstack/core';
export { StreamCarrier } from './stream-carrier.js';
export { ConnectionClosedError, StreamProtocolError } from './errors.js';
export { checkConnectRequest, H3_WEBSOCKET_VERSION, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_HEADER_COUNT } from './request-checks.js';
export type { HeaderLimits, CheckedConnect } from './request-checks.js';
export { altSvcValue } from './responses.js';
export type { RequestListener } from './responses.js';
export { spkiSha256, certificateSha256, readPem } from './tls.js';
export type { PemSource } from './tls.js';
export {
  DEFAULT_MAX_IDLE_TIMEOUT,
  DEFAULT_KEEPALIVE_INTERVAL,
  DEFAULT_MAX_UDP_PAYLOAD_SIZE,
  DEFAULT_STREAM_WINDOW,
  DEFAULT_CONNECTION_WINDOW,
  DEFAULT_MAX_STREAMS,
} from './tuning.js';
export type { Http3Tuning } from './tuning.js';
export { H3ErrorCode, Http3Error } from './h3/errors.js';
export type { H3ErrorScope } from './h3/errors.js';
export type { QuicCloseInfo } from './quic/close-info.js';
export type { H3ErrorName } from './h3/errors.js';
