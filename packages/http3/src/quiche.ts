/**
 * The `@wstack/http3/quiche` entry: quiche's native binding as this package
 * loads it, with the configs its endpoints make from its default settings.
 * It is there to measure QUIC itself (two connections in one process,
 * packets handed over in memory) under exactly the settings the driver
 * uses, so that the distance between the two is visible.
 */
export { quiche, QuicUnavailableError } from './quic/native.js';
export type { HostPort, NativeConfig, NativeConnection, Quiche } from './quic/native.js';
export { serverConfig, clientConfig } from './quic/config.js';
export type { ServerTls, ClientTls } from './quic/config.js';
export { quicSettings } from './tuning.js';
export type { QuicSettings, Http3Tuning } from './tuning.js';
