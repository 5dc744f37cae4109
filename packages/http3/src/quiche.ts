/**
 * The `@wstack/http3/quiche` entry: quiche's native binding as this package
 * loads it, with the configs its endpoints make from its default settings.
 * It is there to measure QUIC itself (two connections in one process,
 * packets handed over in memory) under exactly the settings the driver
 * uses, so that the distance between the two is visible.
 */
export { quiche } from './quic/native.js';
export { QuicUnavailableError } from './quic/errors.js';
export type { NativeConfig, NativeConnection, Quiche } from './quic/binding.js';
export type { HostPort } from './quic/address.js';
export { serverConfig, clientConfig } from './quic/config.js';
export type { ServerTls, ClientTls } from './quic/config.js';
export { quicSettings } from './tuning.js';
export type { QuicSettings, Http3Tuning } from './tuning.js';
