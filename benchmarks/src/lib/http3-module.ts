/**
 * @wstack/http3, loaded at run time from its build output: it is optional
 * here (it needs quiche's prebuilt native module, which not every platform
 * has), so the suite neither depends on it nor fails without it. Only what
 * the suite touches is typed here.
 */
import type { WebSocketConnection } from '@wstack/core';

/** The transport settings the suite varies (a subset of @wstack/http3's Http3Tuning). */
export interface Http3Tuning {
  maxUdpPayloadSize?: number;
}

export interface Http3SessionPool {
  readonly sessionCount: number;
  close(): void;
}

export interface Http3Module {
  WebSocketServer: new (options: Http3Tuning & { handler: (connection: WebSocketConnection) => void; maxMessageSize?: number }) => {
    listen(options: { port?: number; host?: string; tls: { cert: string; key: string } }): Promise<{ port: number }>;
  };
  SessionPool: new (options?: Http3Tuning) => Http3SessionPool;
  connect(url: string, options: { tls?: { pin?: string }; pool?: Http3SessionPool; maxMessageSize?: number }): Promise<WebSocketConnection>;
  DEFAULT_MAX_UDP_PAYLOAD_SIZE: number;
}

const dist = new URL('../../../packages/http3/dist/', import.meta.url);

/** The module, or the reason it cannot be used. */
export async function loadHttp3(): Promise<Http3Module | string> {
  try {
    const module = (await import(new URL('index.js', dist).href)) as Partial<Http3Module>;
    if (typeof module.WebSocketServer !== 'function' || typeof module.connect !== 'function' || typeof module.SessionPool !== 'function') {
      return '@wstack/http3 has no WebSocketServer, connect or SessionPool';
    }
    return module as Http3Module;
  } catch (error) {
    return `@wstack/http3 could not be loaded (${(error as Error).message.split('\n')[0]})`;
  }
}

export interface HostPort {
  host: string;
  port: number;
}

/** quiche's native `Connection`: the calls the in-memory floor makes. */
export interface NativeConnection {
  recv(data: Uint8Array, info: { from: HostPort; to: HostPort }): number;
  send(out: Uint8Array): [number, { from: HostPort; to: HostPort }] | null;
  streamRecv(id: number, out: Uint8Array): [number, boolean] | null;
  streamSend(id: number, data: Uint8Array, fin: boolean): number | null;
  isEstablished(): boolean;
}

type NativeConfig = object;
type QuicSettings = object;

/**
 * quiche's native binding as @wstack/http3 loads it (quic/native.js, its
 * one loader) with the configs its endpoints make (quic/config.js) from its
 * default transport settings (tuning.js): internal modules of its build, so
 * that the floor and wstack differ in nothing below QUIC's streams.
 */
export interface QuicheModule {
  quiche: {
    Connection: {
      connect(serverName: string | null, scid: Uint8Array, local: HostPort, remote: HostPort, config: NativeConfig): NativeConnection;
      accept(scid: Uint8Array, odcid: Uint8Array | null, local: HostPort, remote: HostPort, config: NativeConfig): NativeConnection;
    };
  };
  serverConfig(settings: QuicSettings, tls: { certChain: string; key: string }): NativeConfig;
  clientConfig(settings: QuicSettings, tls: { verifyPeer: boolean }): NativeConfig;
  quicSettings(tuning: Http3Tuning): QuicSettings & { maxUdpPayloadSize: number };
}

/** The binding and @wstack/http3's configs, or the reason they cannot be used. */
export async function loadQuiche(): Promise<QuicheModule | string> {
  try {
    const [native, config, tuning] = await Promise.all(['quic/native.js', 'quic/config.js', 'tuning.js'].map((file) => import(new URL(file, dist).href)));
    const module = { quiche: native.quiche, serverConfig: config.serverConfig, clientConfig: config.clientConfig, quicSettings: tuning.quicSettings };
    if (typeof module.quiche?.Connection?.accept !== 'function' || typeof module.serverConfig !== 'function' || typeof module.quicSettings !== 'function') {
      return '@wstack/http3\'s build no longer has the pieces the quiche floor uses (quic/native, quic/config, tuning)';
    }
    return module as QuicheModule;
  } catch (error) {
    return `quiche could not be loaded through @wstack/http3 (${(error as Error).message.split('\n')[0]})`;
  }
}
