/**
 * @wstack/testkit: the conformance suite that every transport of wstack
 * passes unchanged, and the transports under test that run it.
 */
import type { Test } from 'tap';
import { closeTests } from './suite-close.js';
import { flowTests } from './suite-flow.js';
import { messageTests } from './suite-messages.js';
import type { TransportUnderTest } from './transport-under-test.js';

export type { TransportUnderTest, Pair, PairOptions, ClientOptions } from './transport-under-test.js';
export { memoryTransport } from './memory-transport.js';
export type { MemoryTransportOptions } from './memory-transport.js';
export { closed, echo, inbox, messages, nextMessage, once, pattern, recordingEcho, sleep, until } from './waiting.js';
export { ECHO_SIZES } from './suite-messages.js';

/** Runs the whole suite against `transport`, then disposes of it. */
export function runConformanceSuite(t: Test, transport: TransportUnderTest): void {
  t.test(`conformance: ${transport.name}`, async (t) => {
    t.teardown(() => transport.dispose());
    messageTests(t, transport);
    closeTests(t, transport);
    flowTests(t, transport);
  });
}
export { CHROMIUM, CHROMIUM_FLAGS, hasChromium, hasNghttpx, launchChromium, NGHTTPX, requirePeer } from './peers.js';
export { browserEcho } from './browser-echo.js';
export { RedisServer, REDIS_SERVER, hasRedis, freePort } from './redis-server.js';
export { clientFrame, closeFrame, record, runTunnelClientSuite, SERVER_CLOSE_1000, serverText } from './tunnel-client-suite.js';
export type { TunnelCallOptions, TunnelClientUnderTest, TunnelServer } from './tunnel-client-suite.js';
export type { BrowserEchoOptions } from './browser-echo.js';
