/**
 * How `attach` shares a node server's 'upgrade' event with other listeners
 * (@fastify/websocket, socket.io, a proxy). An upgrade that a wstack server
 * serves is taken before any listener sees it: a listener that answers
 * every upgrade (@fastify/websocket routes each through Fastify, whose
 * answer for a path without a route is 404) would otherwise write its
 * answer on the socket the WebSocket is using. An upgrade that no wstack
 * server serves goes to the other listeners untouched, nothing written; when
 * there are none, wstack refuses it (404, or 400 for a malformed request),
 * as it did alone.
 *
 * Whether a wstack server serves a request is decided from its request line
 * and headers alone (the path, `Upgrade: websocket`), before anything is
 * written to the socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What `attach` needs of a node server: node:http, node:https, or node:http2 with `allowHTTP1`. */
export interface UpgradeEmitter {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  on(event: 'upgrade', listener: (request: IncomingMessage, socket: Duplex, head: Buffer) => void): unknown;
  listenerCount(event: string | symbol): number;
}

/** A wstack server as the gate sees it. */
export interface UpgradeTaker {
  serves(request: IncomingMessage): boolean;
  /** Serves the request, or refuses it (404 when it does not serve its path). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): unknown;
}

/** The wstack servers attached to each node server, in the order attached. */
const takersByServer = new WeakMap<UpgradeEmitter, UpgradeTaker[]>();

export function gateUpgrades(server: UpgradeEmitter, taker: UpgradeTaker): void {
  const known = takersByServer.get(server);
  if (known !== undefined) {
    if (!known.includes(taker)) known.push(taker);
    return;
  }
  const takers = [taker];
  takersByServer.set(server, takers);
  const emit = server.emit;
  // node:http emits 'upgrade' through the server's own emit: taking the event here comes before every listener.
  server.emit = function (this: UpgradeEmitter, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'upgrade') {
      const request = args[0] as IncomingMessage;
      const serving = takers.find((candidate) => candidate.serves(request));
      if (serving !== undefined) {
        serving.handleUpgrade(request, args[1] as Duplex, args[2] as Buffer);
        return true;
      }
    }
    return emit.call(this, event, ...args);
  };
  // node:http hands an upgrade on only to a server with an 'upgrade' listener (else it destroys the socket):
  // this one refuses what no wstack server serves, when nobody else listens.
  server.on('upgrade', (request, socket, head) => {
    if (server.listenerCount('upgrade') === 1) takers[0]!.handleUpgrade(request, socket, head);
  });
}
