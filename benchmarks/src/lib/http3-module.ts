/**
 * @wstack/http3, loaded at run time from its build output: it is optional
 * here (it needs a native QUIC module, and its I/O layer may not be built),
 * so the suite neither depends on it nor fails without it.
 */
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
