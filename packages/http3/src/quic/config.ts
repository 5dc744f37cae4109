/**
 * quiche's `Config` from this package's transport settings and TLS
 * material. The ALPN is always `h3` (RFC 9114 §3.1).
 */
import { Buffer } from 'node:buffer';
import type { QuicSettings } from '../tuning.js';
import { quiche } from './native.js';
import type { NativeConfig } from './binding.js';

/** quiche's stream and connection windows may grow up to these (auto-tuning), never below the initial ones. */
const MAX_WINDOW_FACTOR = 16;

export interface ServerTls {
  /** The certificate chain, leaf first, as one PEM text. */
  certChain: string;
  key: string;
}

export interface ClientTls {
  /**
   * Whether the server's certificate is checked. BoringSSL then only asks
   * for one: it lets the handshake finish whatever it thinks of it, and the
   * connection's `verify` decides (session-pool.ts).
   */
  verifyPeer: boolean;
}

export function serverConfig(settings: QuicSettings, tls: ServerTls): NativeConfig {
  const config = quiche.Config.withBoringSslCtx(false, false, null, [Buffer.from(tls.key)], [Buffer.from(tls.certChain)], null);
  apply(config, settings);
  return config;
}

export function clientConfig(settings: QuicSettings, tls: ClientTls): NativeConfig {
  const config = quiche.Config.withBoringSslCtx(tls.verifyPeer, tls.verifyPeer, null, null, null, null);
  apply(config, settings);
  // RFC 9114 §6.1: a server opens no bidirectional streams; quiche refuses them itself when we grant none.
  config.setInitialMaxStreamsBidi(0);
  return config;
}

function apply(config: NativeConfig, settings: QuicSettings): void {
  config.grease(true);
  config.setApplicationProtos(['h3']);
  config.setMaxIdleTimeout(settings.maxIdleTimeout);
  config.setMaxRecvUdpPayloadSize(settings.maxUdpPayloadSize);
  config.setMaxSendUdpPayloadSize(settings.maxUdpPayloadSize);
  config.setInitialMaxData(settings.connectionWindow);
  config.setInitialMaxStreamDataBidiLocal(settings.streamWindow);
  config.setInitialMaxStreamDataBidiRemote(settings.streamWindow);
  config.setInitialMaxStreamDataUni(64 * 1024);
  config.setInitialMaxStreamsBidi(settings.maxStreams);
  config.setInitialMaxStreamsUni(settings.maxUniStreams);
  config.setMaxConnectionWindow(Math.max(settings.connectionWindow, Math.min(settings.connectionWindow * MAX_WINDOW_FACTOR, 24 * 1024 * 1024)));
  config.setMaxStreamWindow(Math.max(settings.streamWindow, Math.min(settings.streamWindow * MAX_WINDOW_FACTOR, 16 * 1024 * 1024)));
  config.setDisableActiveMigration(true);
}
