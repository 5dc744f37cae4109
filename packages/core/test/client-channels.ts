/** The client's diagnostics channels: open, close, error and failed handshakes, published by connectOver while someone subscribes. */
import t from 'tap';
import diagnostics from 'node:diagnostics_channel';
import { HandshakeError } from '@wstack/protocol';
import { CLIENT_CHANNELS } from '../src/client-channels.js';
import { connectOver, type TransportClient } from '../src/client-handshake.js';
import { WebSocketConnection } from '../src/connection.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { closed } from './connection-helpers.js';

/** A client whose handshake answers over a memory carrier pair, or fails with `failure`. */
function fakeClient(failure?: Error) {
  const [near, far] = createMemoryCarrierPair({ transport: 'h2' });
  const client: TransportClient = {
    transport: 'h2',
    handshake: async () => {
      if (failure !== undefined) throw failure;
      return { headers: {}, carrier: () => near, abandon: () => far.abort() };
    },
  };
  const server = new WebSocketConnection('server', far);
  return { client, server };
}

/** Subscribes to every client channel for the test's length; returns what was published, by channel. */
function watch(t: Tap.Test) {
  const seen: Record<string, Record<string, unknown>[]> = { open: [], close: [], error: [], failure: [] };
  for (const [name, channel] of Object.entries(CLIENT_CHANNELS)) {
    const listener = (message: unknown) => seen[name]!.push(message as Record<string, unknown>);
    channel.subscribe(listener);
    t.teardown(() => channel.unsubscribe(listener));
  }
  return seen;
}

t.test('the names follow the servers: wstack:client:open, close, error and failure', async (t) => {
  t.same(Object.values(CLIENT_CHANNELS).map((channel) => channel.name), ['wstack:client:open', 'wstack:client:close', 'wstack:client:error', 'wstack:client:failure']);
  t.equal(diagnostics.channel('wstack:client:open'), CLIENT_CHANNELS.open);
});

t.test('open, then close, with the transport and the URL', async (t) => {
  const seen = watch(t);
  const { client, server } = fakeClient();
  const connection = await connectOver(client, new URL('wss://example.com/chat?x=1'), {});
  t.match(seen.open, [{ connection, transport: 'h2', url: 'wss://example.com/chat?x=1', protocol: '', extensions: '' }]);
  connection.close(1000, 'bye');
  await closed(connection);
  t.match(seen.close, [{ connection, transport: 'h2', url: 'wss://example.com/chat?x=1', code: 1000, reason: '', wasClean: true }], "the server's answer: 1000, no reason");
  t.type(seen.close[0]!.durationMs, 'number');
  t.same(seen.error, []);
  await closed(server);
});

t.test('a connection that fails publishes its error before its close', async (t) => {
  const seen = watch(t);
  const { client, server } = fakeClient();
  const connection = await connectOver(client, 'ws://example.com/', {});
  const order: string[] = [];
  const onError = () => order.push('error');
  const onClose = () => order.push('close');
  CLIENT_CHANNELS.error.subscribe(onError);
  CLIENT_CHANNELS.close.subscribe(onClose);
  t.teardown(() => {
    CLIENT_CHANNELS.error.unsubscribe(onError);
    CLIENT_CHANNELS.close.unsubscribe(onClose);
  });
  server.terminate();
  await closed(connection);
  t.match(seen.error, [{ connection, transport: 'h2', url: 'ws://example.com/' }]);
  t.type(seen.error[0]!.error, Error);
  t.same(order, ['error', 'close']);
});

t.test('a failed handshake: the status of a refusal, none for other failures', async (t) => {
  const seen = watch(t);
  const refused = new HandshakeError('UNEXPECTED_STATUS', 'server answered 403', 403);
  await t.rejects(connectOver(fakeClient(refused).client, 'wss://example.com/a', {}), refused);
  const broken = new HandshakeError('INVALID_ACCEPT', 'wrong accept');
  await t.rejects(connectOver(fakeClient(broken).client, 'wss://example.com/b', {}), broken);
  const unreachable = new Error('ECONNREFUSED');
  await t.rejects(connectOver(fakeClient(unreachable).client, 'wss://example.com/c', {}), unreachable);
  t.same(seen.failure, [
    { transport: 'h2', url: 'wss://example.com/a', error: refused, status: 403 },
    { transport: 'h2', url: 'wss://example.com/b', error: broken, status: undefined },
    { transport: 'h2', url: 'wss://example.com/c', error: unreachable, status: undefined },
  ]);
});

t.test('nobody subscribed: nothing published and no close listener on the connection', async (t) => {
  const { client, server } = fakeClient();
  const connection = await connectOver(client, 'ws://example.com/', {});
  t.equal(connection.listenerCount('close'), 0);
  await t.rejects(connectOver(fakeClient(new Error('down')).client, 'ws://example.com/', {}), /down/);
  const closeOnly = (message: unknown) => message;
  CLIENT_CHANNELS.error.subscribe(closeOnly);
  const watched = await connectOver(fakeClient().client, 'ws://example.com/', {});
  t.equal(watched.listenerCount('close'), 1, 'an error subscriber alone is enough to watch the close');
  CLIENT_CHANNELS.error.unsubscribe(closeOnly);
  watched.terminate();
  connection.terminate();
  await closed(server);
});
