/** A connected client and server over memory carriers, for the connection's tests. */
import { WebSocketConnection, type CloseDetails, type ConnectionOptions } from '../src/connection.js';
import { createMemoryCarrierPair, type MemoryCarrierOptions } from '../src/memory-carrier.js';

export function pair(options: { client?: ConnectionOptions; server?: ConnectionOptions; carrier?: MemoryCarrierOptions } = {}) {
  const [a, b] = createMemoryCarrierPair(options.carrier);
  return {
    client: new WebSocketConnection('client', a, { protocol: 'chat', extensions: '', path: '/p' }, options.client),
    server: new WebSocketConnection('server', b, undefined, options.server),
  };
}

export const closed = (connection: WebSocketConnection) =>
  new Promise<CloseDetails>((resolve) => {
    if (connection.closeDetails) resolve(connection.closeDetails);
    else connection.once('close', resolve);
  });

export const nextMessage = (connection: WebSocketConnection) =>
  new Promise<[Buffer, boolean]>((resolve) => connection.once('message', (data, binary) => resolve([data, binary])));

export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
