/** Backpressure both ways, keepalive and idle timeouts. */
import type { Test } from 'tap';
import type { TransportUnderTest } from './transport-under-test.js';
import { closed, messages, once, pattern, sleep } from './waiting.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export function flowTests(t: Test, transport: TransportUnderTest): void {
  t.test('send-side backpressure: send() returns false, drain follows, nothing is lost', async (t) => {
    const { client, server } = await transport.open({ client: { highWaterMark: 256 * KiB } });
    server.pause();
    const chunk = pattern(64 * KiB);
    let sent = 0;
    // Bounded: the peer reads nothing, so the buffer must fill long before 64 MiB.
    while (sent < 1024) {
      sent++;
      if (!client.send(chunk)) break;
    }
    t.ok(sent < 1024, `send() returned false after ${sent} messages of 64 KiB`);
    t.ok(client.bufferedAmount > 0, `bufferedAmount ${client.bufferedAmount}`);
    const arrived = messages(server, sent);
    const drained = once(client, 'drain');
    server.resume();
    await drained;
    t.pass('drain fired');
    const received = await arrived;
    t.ok(received.every((message) => message.data.equals(chunk)), `all ${sent} messages arrived intact`);
    await client.drained();
    client.close();
  });

  t.test('maxBufferedAmount: sending on toward a peer that reads nothing closes with 1008, bounded', async (t) => {
    const cap = 256 * KiB;
    const { client, server } = await transport.open({ client: { maxBufferedAmount: cap, closeTimeout: 300 } });
    server.pause();
    const chunk = pattern(64 * KiB);
    let sent = 0;
    // Bounded: kernel and flow-control buffers take a few MiB at most, so the cap is passed long before 64 MiB.
    try {
      while (sent < 1024) {
        client.send(chunk);
        sent++;
      }
    } catch (error) {
      t.match(error, { name: 'UsageError', code: 'INVALID_STATE' }, 'a send after the cap throws, as on any closing connection');
    }
    t.ok(sent < 1024, `the connection stopped taking messages after ${sent} of 64 KiB`);
    t.ok(client.bufferedAmount <= cap + chunk.length + 16, `what waits is bounded: ${client.bufferedAmount} bytes`);
    const details = await closed(client);
    t.match(details, { code: 1006, wasClean: false, error: { name: 'SendBufferFullError', code: 'SEND_BUFFER_FULL' } }, 'ended by the close timer, saying why');
    server.terminate();
  });

  t.test('receive-side backpressure: a slow iterator slows the sender down', async (t) => {
    const { client, server } = await transport.open({ server: { highWaterMark: 128 * KiB }, client: { highWaterMark: 128 * KiB } });
    const count = 400;
    const chunk = pattern(64 * KiB, 7);
    let refused = 0;
    const sending = (async () => {
      for (let i = 0; i < count; i++) {
        if (!client.send(chunk)) {
          refused++;
          await client.drained();
        }
      }
      client.close(1000);
    })();
    let received = 0;
    let intact = true;
    for await (const message of server) {
      intact &&= message.data.equals(chunk);
      received++;
      if (received % 4 === 0) await sleep(1);
    }
    await sending;
    t.equal(received, count, 'every message arrived');
    t.ok(intact, 'intact');
    t.ok(refused > 0, `the sender met backpressure ${refused} times across ${count * 64 / 1024} MiB`);
  });

  t.test('bufferedAmount counts what the carrier has not sent yet', async (t) => {
    const { client, server } = await transport.open();
    server.pause();
    client.send(pattern(4 * MiB));
    t.ok(client.bufferedAmount > 0, `${client.bufferedAmount} bytes buffered`);
    server.resume();
    await client.drained();
    client.close();
    await closed(client);
  });

  t.test('keepalive pings a quiet peer; a silent peer is aborted', async (t) => {
    const { client, server } = await transport.open({ server: { pingInterval: 40, pongTimeout: 100 } });
    let pongs = 0;
    server.on('pong', () => pongs++);
    await sleep(400);
    t.ok(pongs >= 2, `${pongs} keepalive pongs while the client is quiet`);
    t.equal(server.readyState, 1, 'still open');
    client.pause();
    const atServer = await closed(server);
    t.match(atServer.error, { name: 'TimeoutError', code: 'PONG_TIMEOUT' });
    client.resume();
    await closed(client);
  });

  t.test('an idle connection is closed with 1001', async (t) => {
    const { client, server } = await transport.open({ server: { idleTimeout: 150 } });
    client.send('activity');
    const [atClient] = await Promise.all([closed(client), closed(server)]);
    t.same(atClient, { code: 1001, reason: 'idle timeout', wasClean: true });
  });
}
