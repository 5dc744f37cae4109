/** The suite's transport without a network: two connections over in-memory carriers. */
import { createMemoryCarrierPair, WebSocketConnection, type MemoryCarrierOptions } from '@wstack/core';
import type { TransportUnderTest } from './transport-under-test.js';

export function memoryTransport(carrier: MemoryCarrierOptions = {}): TransportUnderTest {
  const transport = carrier.transport ?? 'http/1.1';
  return {
    name: `memory carrier (${transport}${carrier.endsAfterCloseFrame ? ', ends after the close frame' : ''})`,
    transport,
    handshake: false,
    async open(options = {}) {
      const [clientSide, serverSide] = createMemoryCarrierPair(carrier);
      const path = options.path ?? '/';
      const client = new WebSocketConnection('client', clientSide, { path }, options.client);
      const server = new WebSocketConnection('server', serverSide, { path }, options.server);
      return { client, server, request: undefined };
    },
    async dispose() {},
  };
}
