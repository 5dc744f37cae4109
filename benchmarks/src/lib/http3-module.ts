/**
 * @wstack/http3, loaded at run time from its build output: it is optional
 * here (it needs a native QUIC module, and its I/O layer may not be built),
 * so the suite neither depends on it nor fails without it.
 */
import type { ReadableStream, WritableStream } from 'node:stream/web';
import type { WebSocketConnection } from '@wstack/core';

export interface Http3Module {
  WebSocketServer: new (options: { handler: (connection: WebSocketConnection) => void; maxMessageSize?: number }) => {
    listen(options: { port?: number; host?: string; tls: { cert: string; key: string } }): Promise<{ port: number }>;
  };
  connect(url: string, options: { tls?: { pin?: string } }): Promise<WebSocketConnection>;
}

/** The module, or the reason it cannot be used. */
export async function loadHttp3(): Promise<Http3Module | string> {
  try {
    const module = (await import(new URL('../../../packages/http3/dist/index.js', import.meta.url).href)) as Partial<Http3Module>;
    if (typeof module.WebSocketServer !== 'function' || typeof module.connect !== 'function') return '@wstack/http3 has no I/O layer yet';
    return module as Http3Module;
  } catch (error) {
    return `@wstack/http3 could not be loaded (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * The raw QUIC floor's view of @matrixai/quic: only what it touches, typed
 * here since the suite does not depend on the library.
 */
export interface QuicStream {
  readonly type: 'bidi' | 'uni';
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  cancel(reason?: unknown): void;
}

export interface QuicConnection extends EventTarget {
  newStream(type: 'bidi'): QuicStream;
}

export interface QuicClient {
  readonly connection: QuicConnection;
  destroy(options: { force: boolean }): Promise<void>;
}

interface QuicServer extends EventTarget {
  readonly port: number;
  start(options: { host: string; port: number }): Promise<void>;
}

type QuicConfig = Record<string, unknown>;

export interface QuicModule {
  quic: {
    QUICServer: new (options: { crypto: unknown; config: QuicConfig; logger: unknown }) => QuicServer;
    QUICClient: {
      createQUICClient(options: { host: string; port: number; serverName: string; localHost: string; crypto: unknown; config: QuicConfig; logger: unknown }): Promise<QuicClient>;
    };
    events: { EventQUICServerConnection: { name: string }; EventQUICConnectionStream: { name: string } };
    native: { CryptoError: { BadCertificate: number } };
  };
  /** @wstack/http3's transport settings (windows, idle timeout, keepalive, datagram size, read chunk). */
  quicConfig(tuning: object): QuicConfig;
  serverCrypto(): unknown;
  clientCrypto: unknown;
  silentLogger: unknown;
}

/**
 * @wstack/http3's transport settings for the raw floor's server and client
 * alike; only the ALPN differs, since the bytes are not HTTP/3.
 */
export const rawQuicConfig = (loaded: QuicModule): QuicConfig => ({ ...loaded.quicConfig({}), applicationProtos: ['wstack-raw-echo'] });

/**
 * @matrixai/quic as @wstack/http3 loads it (the same version and pnpm patch,
 * from its own dependency), with the settings, crypto ops and silent logger
 * it gives the library: internal modules of its build, so that the raw floor
 * and wstack differ in nothing below HTTP/3. Or the reason it cannot be used.
 */
export async function loadQuic(): Promise<QuicModule | string> {
  const dist = new URL('../../../packages/http3/dist/', import.meta.url);
  try {
    const [loader, support, tuning] = await Promise.all(['quic-loader.js', 'quic-support.js', 'tuning.js'].map((file) => import(new URL(file, dist).href)));
    const module = { quic: loader.quic, quicConfig: tuning.quicConfig, serverCrypto: support.serverCrypto, clientCrypto: support.clientCrypto, silentLogger: support.silentLogger };
    if (typeof module.quic?.QUICServer !== 'function' || typeof module.quicConfig !== 'function' || typeof module.serverCrypto !== 'function') {
      return '@wstack/http3\'s build no longer has the QUIC pieces the raw floor uses (quic-loader, quic-support, tuning)';
    }
    return module as QuicModule;
  } catch (error) {
    return `@matrixai/quic could not be loaded through @wstack/http3 (${(error as Error).message.split('\n')[0]})`;
  }
}
