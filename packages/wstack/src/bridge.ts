/**
 * A bridge between transports: a server on one side, and for each WebSocket
 * it accepts, a client WebSocket to the target with the same path and
 * subprotocol offer, over the transport asked for. The handshake is
 * answered only once the target's is done, so the client sees the target's
 * subprotocol choice and a refusal as 502. Messages are relayed with
 * backpressure; closes are handed on (relay.ts).
 */
import { reject, type ServerOptions, type UpgradeRequest, type WebSocketConnection } from '@wstack/core';
import { connect, type ClientOptions } from './connect.js';
import { relay } from './relay.js';

export interface BridgeTarget {
  /** The target's base URL; each WebSocket's path and query are appended to its path. */
  url: URL;
  /** Options of the client side (transport, tls, perMessageDeflate, …). */
  client: ClientOptions;
}

export interface Bridge {
  /** Server options that make a server a bridge to the target. */
  options: ServerOptions;
  /** Call with every refused handshake (the server's 'rejection' event): its target WebSocket is closed. */
  refused(request: UpgradeRequest | undefined): void;
  /** Resolves once every target WebSocket relayed so far has closed (after the server's close, say). */
  settled(): Promise<void>;
}

export function bridgeTo(target: BridgeTarget, onError: (error: unknown, request: UpgradeRequest) => void = () => undefined): Bridge {
  const opened = new WeakMap<UpgradeRequest, WebSocketConnection>();
  const refusedRequests = new WeakSet<UpgradeRequest>();
  const relayed = new Set<WebSocketConnection>();
  const options: ServerOptions = {
    async authenticate(request) {
      try {
        const upstream = await connect(targetUrl(target.url, request.path), { ...target.client, protocols: request.protocols });
        // The handshake may have been refused meanwhile (handshake timeout, shutdown).
        if (refusedRequests.has(request)) upstream.close(1001);
        else opened.set(request, upstream);
        return true;
      } catch (error) {
        onError(error, request);
        return reject(502, `the target refused or could not be reached: ${(error as Error).message}`);
      }
    },
    // The target chose among the same offers: answer with its choice.
    protocols: (_offered, request) => opened.get(request)?.protocol,
    handler(connection, request) {
      const upstream = opened.get(request)!;
      opened.delete(request);
      relayed.add(upstream);
      upstream.once('close', () => relayed.delete(upstream));
      relay(connection, upstream);
    },
  };
  return {
    options,
    refused(request) {
      if (request === undefined) return;
      refusedRequests.add(request);
      opened.get(request)?.close(1001);
      opened.delete(request);
    },
    async settled() {
      await Promise.all([...relayed].map((upstream) => new Promise((resolve) => upstream.once('close', resolve))));
    },
  };
}

function targetUrl(base: URL, path: string): URL {
  const url = new URL(base);
  const [pathname = '/', query] = path.split('?', 2) as [string, string | undefined];
  url.pathname = `${base.pathname.replace(/\/$/, '')}${pathname}`;
  url.search = query === undefined ? '' : `?${query}`;
  return url;
}
