/** stats() counts the messages and payload bytes of every transport; the clients publish on wstack:client:* as the servers do on wstack:*. */
import t from 'tap';
import diagnostics from 'node:diagnostics_channel';
import { closed, nextMessage } from '@wstack/testkit';
import { clientDiagnosticsChannels, connect, createServer, type ClientTransport } from '../src/index.js';

t.test('stats(): messages and payload bytes in and out, per transport, open and closed WebSockets alike', async (t) => {
  const server = await createServer({
    devCert: true,
    perMessageDeflate: true,
    handler: (connection) => connection.on('message', (data, binary) => connection.send(binary ? data : `echo ${data}`, { binary })),
  });
  t.teardown(() => server.close());
  const tls = { ca: server.devCert!.cert };
  const zero = { messagesIn: 0, bytesIn: 0, messagesOut: 0, bytesOut: 0 };
  t.match(server.stats().byTransport, { 'http/1.1': zero, h2: zero, h3: zero });
  const clients = await Promise.all((['h1', 'h2', 'h3'] as ClientTransport[]).map((transport) => connect(server.url, { transport, tls, perMessageDeflate: true })));
  const [h1, h2, h3] = clients as [(typeof clients)[0], (typeof clients)[0], (typeof clients)[0]];
  h1.send('hé'); // 3 bytes in, 'echo hé' 8 bytes out
  await nextMessage(h1);
  h2.send(Buffer.alloc(5000, 1)); // compressed on the wire; counted as 5000 each way
  await nextMessage(h2);
  h2.send('x');
  await nextMessage(h2);
  server.publish('nobody', 'ignored');
  h3.send(Buffer.alloc(7));
  await nextMessage(h3);
  t.match(server.stats().byTransport, {
    'http/1.1': { open: 1, messagesIn: 1, bytesIn: 3, messagesOut: 1, bytesOut: 8 },
    h2: { open: 1, messagesIn: 2, bytesIn: 5001, messagesOut: 2, bytesOut: 5006 },
    h3: { open: 1, messagesIn: 1, bytesIn: 7, messagesOut: 1, bytesOut: 7 },
  });
  h2.close();
  await closed(h2);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.match(server.stats().byTransport.h2, { open: 0, opened: 1, messagesIn: 2, bytesIn: 5001, messagesOut: 2, bytesOut: 5006 }, 'a closed WebSocket keeps its counts');
  t.same(h2.messageCounts, { messagesIn: 2, bytesIn: 5006, messagesOut: 2, bytesOut: 5001 }, 'the client counts the other way round');
});

t.test('the clients publish wstack:client:open, close, error and failure, for each transport connect tries', async (t) => {
  const seen: string[] = [];
  const subscriptions: [string, (message: unknown) => void][] = [
    ['wstack:client:open', (m) => seen.push(`open ${(m as { transport: string }).transport} ${(m as { url: string }).url}`)],
    ['wstack:client:close', (m) => seen.push(`close ${(m as { transport: string }).transport} ${(m as { code: number }).code} ${(m as { wasClean: boolean }).wasClean}`)],
    ['wstack:client:error', (m) => seen.push(`error ${(m as { transport: string }).transport} ${(m as { error: Error }).error.name}`)],
    ['wstack:client:failure', (m) => seen.push(`failure ${(m as { transport: string }).transport} ${(m as { status: number | undefined }).status}`)],
  ];
  for (const [name, listener] of subscriptions) diagnostics.subscribe(name, listener);
  t.teardown(() => {
    for (const [name, listener] of subscriptions) diagnostics.unsubscribe(name, listener);
  });
  t.same(Object.values(clientDiagnosticsChannels).map((channel) => channel.name), ['wstack:client:open', 'wstack:client:close', 'wstack:client:error', 'wstack:client:failure']);
  const server = await createServer({ routes: { '/ok': () => undefined } });
  t.teardown(() => server.close());
  const h1 = await connect(`${server.url}ok`, { transport: 'h1' });
  h1.close(1000);
  await closed(h1);
  const h2 = await connect(`${server.url}ok`, { transport: 'h2' });
  for (const connection of server.connections) connection.terminate();
  await closed(h2);
  await t.rejects(connect(`${server.url}missing`, { transport: 'h1' }));
  t.same(seen, [
    `open http/1.1 ${server.url}ok`,
    'close http/1.1 1000 true',
    `open h2 ${server.url}ok`,
    'error h2 TransportResetError',
    'close h2 1006 false',
    'failure http/1.1 404',
  ]);
});
