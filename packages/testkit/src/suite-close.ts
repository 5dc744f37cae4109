/** Every way a connection ends, from each side. */
import type { Test } from 'tap';
import type { TransportUnderTest } from './transport-under-test.js';
import { closed, nextMessage, pattern, sleep } from './waiting.js';

export function closeTests(t: Test, transport: TransportUnderTest): void {
  t.test('the client closes: code and reason reach the server; both clean', async (t) => {
    const { client, server } = await transport.open();
    client.close(1000, 'bye');
    t.equal(client.readyState, 2, 'CLOSING at once');
    t.throws(() => client.send('late'), { code: 'INVALID_STATE' });
    const [atClient, atServer] = await Promise.all([closed(client), closed(server)]);
    t.same(atServer, { code: 1000, reason: 'bye', wasClean: true });
    t.same(atClient, { code: 1000, reason: '', wasClean: true }, 'the answer echoes the code');
    t.equal(client.readyState, 3);
    t.equal(server.readyState, 3);
  });

  t.test('the server closes with an application code', async (t) => {
    const { client, server } = await transport.open();
    server.close(4001, 'kicked');
    const [atClient, atServer] = await Promise.all([closed(client), closed(server)]);
    t.same(atClient, { code: 4001, reason: 'kicked', wasClean: true });
    t.same(atServer, { code: 4001, reason: '', wasClean: true });
  });

  t.test('a close without a code reads as 1005 on both sides', async (t) => {
    const { client, server } = await transport.open();
    client.close();
    const [atClient, atServer] = await Promise.all([closed(client), closed(server)]);
    t.equal(atServer.code, 1005);
    t.equal(atClient.code, 1005);
    t.ok(atServer.wasClean && atClient.wasClean);
  });

  t.test('both sides close at once: each sees the other\'s code', async (t) => {
    const { client, server } = await transport.open();
    client.close(1000, 'client');
    server.close(1001, 'server');
    const [atClient, atServer] = await Promise.all([closed(client), closed(server)]);
    t.same(atClient, { code: 1001, reason: 'server', wasClean: true });
    t.same(atServer, { code: 1000, reason: 'client', wasClean: true });
  });

  t.test('close() checks its arguments and is idempotent', async (t) => {
    const { client, server } = await transport.open();
    t.throws(() => client.close(1005), { name: 'UsageError', code: 'INVALID_ARGUMENT' });
    t.throws(() => client.close(1000, 'x'.repeat(124)), { code: 'INVALID_ARGUMENT' });
    t.equal(client.readyState, 1, 'a refused close changes nothing');
    client.close(1000);
    client.close(4000, 'ignored');
    const atServer = await closed(server);
    t.equal(atServer.code, 1000);
    await closed(client);
    client.close(1000);
    client.terminate();
    t.equal(client.readyState, 3);
  });

  for (const side of ['client', 'server'] as const) {
    t.test(`${side} terminates: the other side sees 1006, not clean`, async (t) => {
      const pair = await transport.open();
      const other = side === 'client' ? pair.server : pair.client;
      pair[side].terminate();
      const [atSide, atOther] = await Promise.all([closed(pair[side]), closed(other)]);
      t.equal(atSide.code, 1006);
      t.equal(atSide.wasClean, false);
      t.equal(atOther.code, 1006);
      t.equal(atOther.wasClean, false);
    });
  }

  t.test('abort in the middle of a large frame: nothing half-delivered', async (t) => {
    const { client, server } = await transport.open();
    let delivered = 0;
    server.on('message', () => delivered++);
    client.send(pattern(16 * 1024 * 1024));
    await sleep(1);
    client.terminate();
    const atServer = await closed(server);
    t.equal(atServer.code, 1006);
    t.equal(delivered, 0, 'the partial message is dropped');
  });

  for (const [side, other] of [['server', 'client'], ['client', 'server']] as const) {
    t.test(`a message over the ${side}'s limit fails the connection with 1009`, async (t) => {
      const limit = { maxMessageSize: 1024 };
      const pair = await transport.open(side === 'server' ? { server: limit } : { client: limit });
      const errors: unknown[] = [];
      pair[side].on('error', (error) => errors.push(error));
      const fits = nextMessage(pair[side]);
      pair[other].send(pattern(1024));
      t.equal((await fits).data.length, 1024, 'exactly the limit fits');
      pair[other].send(pattern(1025));
      const [atSide, atOther] = await Promise.all([closed(pair[side]), closed(pair[other])]);
      t.equal(atOther.code, 1009, `the ${other} hears 1009`);
      t.equal(atSide.wasClean, false);
      t.match(atSide.error, { name: 'ProtocolError', code: /^(FRAME|MESSAGE)_TOO_LARGE$/, closeCode: 1009 });
      t.equal(errors.length, 1, 'one error event');
    });
  }

  t.test('a peer that never answers the close is aborted after the close timeout', async (t) => {
    const { client, server } = await transport.open({ server: { closeTimeout: 150 } });
    client.pause();
    server.close(1000);
    const atServer = await closed(server);
    t.match(atServer.error, { name: 'TimeoutError', code: 'CLOSE_TIMEOUT' });
    t.equal(atServer.wasClean, false);
    client.resume();
    await closed(client);
  });
}
