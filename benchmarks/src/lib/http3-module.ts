/**
 * @wstack/http3, loaded at run time: it needs quiche's prebuilt native
 * module, which not every platform has, so the suite runs without it and
 * says why. Only what the suite touches is typed here.
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
  SessionPool: new (options?: Http3Tuning & { idleTimeout?: number }) => Http3SessionPool;
  request(url: string, options: { tls?: { pin?: string }; pool?: Http3SessionPool }): Promise<{ status: number; body: Buffer }>;
  connect(url: string, options: { tls?: { pin?: string }; pool?: Http3SessionPool; maxMessageSize?: number }): Promise<WebSocketConnection>;
  DEFAULT_MAX_UDP_PAYLOAD_SIZE: number;
}

/** The module, or the reason it cannot be used. */
export async function loadHttp3(): Promise<Http3Module | string> {
  try {
    const module = (await import('@wstack/http3')) as unknown as Partial<Http3Module>;
    if (typeof module.WebSocketServer !== 'function' || typeof module.connect !== 'function' || typeof module.SessionPool !== 'function') {
      return '@wstack/http3 has no WebSocketServer, connect or SessionPool';
    }
    return module as Http3Module;
  } catch (error) {
    return `@wstack/http3 could not be loaded (${(error as Error).message.split('\n')[0]})`;
  }
}

/**
 * quiche's native binding as @wstack/http3 loads it, with the configs its
 * endpoints make from its default settings (its `quiche` entry), so that
 * the floor and wstack differ in nothing below QUIC's streams.
 */
export type QuicheModule = typeof import('@wstack/http3/quiche');
export type { HostPort, NativeConnection } from '@wstack/http3/quiche';

/** The binding and @wstack/http3's configs, or the reason they cannot be used. */
export async function loadQuiche(): Promise<QuicheModule | string> {
  try {
    return await import('@wstack/http3/quiche');
  } catch (error) {
    return `quiche could not be loaded through @wstack/http3 (${(error as Error).message.split('\n')[0]})`;
  }
}
