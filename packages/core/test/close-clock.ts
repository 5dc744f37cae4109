/** After the closing handshake the transport gets a short linger, not the whole close timeout (RFC 6455 §7.1.1). */
import t from 'tap';
import { encodeClosePayload, encodeFrame, Opcode, randomMaskSource } from '@wstack/protocol';
import { WebSocketConnection } from '../src/connection.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { LINGER } from '../src/close-clock.js';
import { closed } from './connection-helpers.js';

/** A server connection whose peer answers a close frame with one of its own (masked, as a client's), then keeps its side open. */
function withLingeringPeer(closeTimeout: number): WebSocketConnection {
  const [peer, near] = createMemoryCarrierPair();
  peer.attach({
    data: (chunk) => {
      if ((chunk[0]! & 0x0f) === Opcode.CLOSE) peer.write(encodeFrame(Opcode.CLOSE, encodeClosePayload(1000), { fin: true, mask: randomMaskSource }));
    },
    end: () => undefined,
    drain: () => undefined,
    close: () => undefined,
  });
  return new WebSocketConnection('server', near, undefined, { closeTimeout });
}

t.test('a peer that answers the close frame but never ends its side is cut after LINGER, and the close is clean', async (t) => {
  const server = withLingeringPeer(10_000);
  const began = Date.now();
  server.close(1000);
  const details = await closed(server);
  const ms = Date.now() - began;
  t.ok(ms >= LINGER - 50 && ms < 3000, `closed after ${ms} ms, not the 10 s close timeout`);
  t.same(details, { code: 1000, reason: '', wasClean: true });
});

t.test('the linger is never longer than the close timeout', async (t) => {
  const server = withLingeringPeer(100);
  const began = Date.now();
  server.close(1000);
  await closed(server);
  t.ok(Date.now() - began < 600, `closed after ${Date.now() - began} ms`);
});
