/** The suite's transport without a network: two connections over in-memory carriers. */
import type { DeflateParams } from '@wstack/protocol';
import { createMemoryCarrierPair, WebSocketConnection, type MemoryCarrierOptions } from '@wstack/core';
import type { TransportUnderTest } from './transport-under-test.js';

export interface MemoryTransportOptions extends MemoryCarrierOptions {
  /** Connections as if permessage-deflate had been negotiated with these parameters. */
  deflate?: DeflateParams;
}

export function memoryTransport(carrier: MemoryTransportOptions = {}): TransportUnderTest {
  const transport = carrier.transport ?? 'http/1.1';
  const deflate = carrier.deflate === undefined ? {} : { deflate: carrier.deflate, extensions: 'permessage-deflate' };
  return {
    name: `memory carrier (${transport}${carrier.endsAfterCloseFrame ? ', ends after the close frame' : ''}${carrier.deflate ? ', permessage-deflate' : ''})`,
    transport,
    handshake: false,
    async open(options = {}) {
      const [clientSide, serverSide] = createMemoryCarrierPair(carrier);
      const path = options.path ?? '/';
      const client = new WebSocketConnection('client', clientSide, { path, ...deflate }, options.client);
      const server = new WebSocketConnection('server', serverSide, { path, ...deflate }, options.server);
      return { client, server, request: undefined };
    },
    async dispose() {},
  };
}
