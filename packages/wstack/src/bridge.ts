/**
 * A bridge between transports: a server on one side, and for each WebSocket
 * it accepts, a tunnel to the target with the same path, subprotocol offer
 * and extension offer, over the transport asked for. The handshake is
 * answered only once the target's is done, with the target's subprotocol
 * and extensions, and a refusal as 502. Then the two tunnels are piped into
 * each other: frame for frame, byte for byte (core's tunnel.ts), so each end
 * sees exactly what the other sent, protocol errors and compression
 * included, and the bridge judges nothing.
 */
import { pipeTunnels, reject, type ServerOptions, type Tunnel, type UpgradeRequest } from '@wstack/core';
import { openTunnel, type ClientOptions } from './connect.js';

export interface BridgeTarget {
  /** The target's base URL; each WebSocket's path and query are appended to its path. */
  url: URL;
  /** Options of the client side (transport, tls, …). */
  client: ClientOptions;
}

export interface Bridge {
  /** Server options that make a server a bridge to the target. */
  options: ServerOptions;
  /** Call with every refused handshake (the server's 'rejection' event): its target tunnel is closed. */
  refused(request: UpgradeRequest | undefined): void;
  /** Ends every tunnel toward the target, aborts those still open after `grace` ms, and resolves once all have closed. */
  close(grace?: number): Promise<void>;
}

export type TunnelListener = (downstream: Tunnel, upstream: Tunnel, request: UpgradeRequest) => void;

export function bridgeTo(target: BridgeTarget, onError: (error: unknown, request: UpgradeRequest) => void = () => undefined, onOpen: TunnelListener = () => undefined): Bridge {
  const opened = new WeakMap<UpgradeRequest, Tunnel>();
  const refusedRequests = new WeakSet<UpgradeRequest>();
  const relayed = new Set<Tunnel>();
  const options: ServerOptions = {
    async authenticate(request) {
      try {
        const offer = request.headers['sec-websocket-extensions'];
        const upstream = await openTunnel(targetUrl(target.url, request.path), {
          ...target.client,
          protocols: request.protocols,
          ...(offer !== undefined ? { extensions: offer } : {}),
        });
        // The handshake may have been refused meanwhile (handshake timeout, shutdown).
        if (refusedRequests.has(request)) upstream.abort();
        else opened.set(request, upstream);
        return true;
      } catch (error) {
        onError(error, request);
        return reject(502, `the target refused or could not be reached: ${(error as Error).message}`);
      }
    },
    // The target chose among the same offers: answer with its choices.
    protocols: (_offered, request) => opened.get(request)?.protocol,
    tunnel: {
      extensions: (request) => opened.get(request)?.extensions ?? '',
      open(downstream, request) {
        const upstream = opened.get(request)!;
        opened.delete(request);
        relayed.add(upstream);
        upstream.once('close', () => relayed.delete(upstream));
        pipeTunnels(downstream, upstream);
        onOpen(downstream, upstream, request);
      },
    },
  };
  return {
    options,
    refused(request) {
      if (request === undefined) return;
      refusedRequests.add(request);
      opened.get(request)?.abort();
      opened.delete(request);
    },
    async close(grace = 5000) {
      // A tunnel cannot tell where a frame ends, so it cannot slip a close frame in: the target sees its stream end.
      const closing = [...relayed].map((upstream) => new Promise((resolve) => upstream.once('close', resolve)));
      for (const upstream of relayed) upstream.end();
      const timer = setTimeout(() => {
        for (const upstream of relayed) upstream.abort();
      }, grace);
      await Promise.all(closing);
      clearTimeout(timer);
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
