/** createServer: one port, every transport, one handler. */
import t from 'tap';
import { closed, nextMessage } from '@wstack/testkit';
import { connect, createServer, type ClientTransport } from '../src/index.js';

t.test('one handler for HTTP/1.1, HTTP/2 and HTTP/3 on one port number, TLS with a development certificate', async (t) => {
  const seen: string[] = [];
  const server = await createServer({
    devCert: true,
    handler: (connection, request) => {
      seen.push(`${connection.transport} ${request.path}`);
      connection.on('message', (data, binary) => connection.send(data, { binary }));
    },
  });
  t.equal(server.url, `wss://127.0.0.1:${server.address.port}/`);
  t.same(server.transports, ['http/1.1', 'h2', 'h3']);
  t.equal(server.http3Unavailable, undefined);
  t.match(server.devCert?.spkiSha256, /^[A-Za-z0-9+/]{43}=$/);
  const tls = { ca: server.devCert!.cert };
  const clients = await Promise.all((['h1', 'h2', 'h3'] as ClientTransport[]).map((transport) => connect(`${server.url}${transport}`, { transport, tls })));
  t.same(clients.map((client) => client.transport), ['http/1.1', 'h2', 'h3']);
  t.same(seen.sort(), ['h2 /h2', 'h3 /h3', 'http/1.1 /h1']);
  t.equal(server.connections.length, 3);
  const altSvc = `h3=":${server.address.port}"; ma=86400`;
  t.same([clients[0]!.headers['alt-svc'], clients[1]!.headers['alt-svc']], [altSvc, altSvc], 'the TCP answers announce HTTP/3 on the same port number');
  for (const client of clients) {
    client.send('ping');
    t.equal((await nextMessage(client)).data.toString(), 'ping');
  }
  const ends = clients.map((client) => closed(client));
  await server.close();
  t.same((await Promise.all(ends)).map((end) => end.code), [1001, 1001, 1001], 'close() sends 1001 on every transport');
});

t.test('HTTP/3 alone, or off, or impossible in cleartext', async (t) => {
  const only = await createServer({ devCert: true, http1: false, http2: false, handler: () => undefined });
  t.same(only.transports, ['h3']);
  const client = await connect(only.url, { transport: 'h3', tls: { ca: only.devCert!.cert } });
  t.equal(client.transport, 'h3');
  await only.close();
  const off = await createServer({ devCert: true, http3: false });
  t.same(off.transports, ['http/1.1', 'h2']);
  await off.close();
  await t.rejects(createServer({ http3: true }), /http3 needs TLS/);
  await t.rejects(createServer({ http1: false, http2: false }), /at least one/, 'no HTTP/3 without TLS');
  await t.rejects(createServer({ devCert: true, http1: false, http2: false, http3: false }), /at least one/);
  const cleartext = await createServer();
  t.same(cleartext.transports, ['http/1.1', 'h2'], 'no HTTP/3 without TLS, and no complaint');
  await cleartext.close();
});

t.test('cleartext, and one transport at a time', async (t) => {
  for (const [options, transports] of [[{ http2: false }, ['http/1.1']], [{ http1: false }, ['h2']]] as const) {
    const server = await createServer({ ...options, handler: () => undefined });
    t.equal(server.url.startsWith('ws://'), true);
    t.same(server.transports, transports);
    const transport: ClientTransport = transports[0] === 'h2' ? 'h2' : 'h1';
    const client = await connect(server.url, { transport });
    t.equal(client.transport, transports[0]);
    await server.close();
  }
});

t.test('contradictory options are refused', async (t) => {
  await t.rejects(createServer({ devCert: true, tls: {} }), /exclude each other/);
  await t.rejects(connect('ws://127.0.0.1:1/', { transport: 'h9' as ClientTransport }), /unknown transport "h9"/);
});

t.test('nothing sent before a clean close is lost, on every transport, both ways', async (t) => {
  const COUNT = 5000;
  let serverCount: (count: number) => void = () => undefined;
  const server = await createServer({
    devCert: true,
    handler: (connection) => {
      let count = 0;
      connection.on('message', () => count++);
      connection.on('close', () => serverCount(count));
    },
  });
  const tls = { ca: server.devCert!.cert };
  for (const transport of ['h1', 'h2', 'h3'] as const) {
    const counted = new Promise<number>((resolve) => (serverCount = resolve));
    const client = await connect(server.url, { transport, tls });
    for (let i = 0; i < COUNT; i++) client.send(`message ${i}`);
    client.close(1000);
    await closed(client);
    t.equal(await counted, COUNT, `${transport}: the server got every message before the close`);
  }
  const clients = await Promise.all((['h1', 'h2', 'h3'] as const).map((transport) => connect(server.url, { transport, tls })));
  const counts = clients.map((client) => {
    let count = 0;
    client.on('message', () => count++);
    return closed(client).then((end) => [end.code, count]);
  });
  for (const connection of server.connections) for (let i = 0; i < COUNT; i++) connection.send(`message ${i}`);
  await server.close();
  t.same(await Promise.all(counts), [[1001, COUNT], [1001, COUNT], [1001, COUNT]], 'shutdown: every message arrives before the 1001');
});

t.test('stats() and the diagnostics channels follow every WebSocket', async (t) => {
  const diagnostics = await import('node:diagnostics_channel');
  const { diagnosticsChannels } = await import('../src/index.js');
  const seen: string[] = [];
  const onOpen = (message: unknown) => seen.push(`open ${(message as { transport: string; path: string }).transport} ${(message as { path: string }).path}`);
  const onClose = (message: unknown) => {
    const { transport, code, wasClean, durationMs } = message as { transport: string; code: number; wasClean: boolean; durationMs: number };
    seen.push(`close ${transport} ${code} ${wasClean} ${durationMs >= 0}`);
  };
  const onError = (message: unknown) => seen.push(`error ${(message as { transport: string }).transport} ${((message as { error: Error }).error as Error).name}`);
  const onRejection = (message: unknown) => seen.push(`rejection ${(message as { status: number }).status} ${(message as { path: string }).path}`);
  diagnostics.subscribe('wstack:open', onOpen);
  diagnostics.subscribe('wstack:close', onClose);
  diagnostics.subscribe('wstack:error', onError);
  diagnostics.subscribe('wstack:rejection', onRejection);
  t.teardown(() => {
    diagnostics.unsubscribe('wstack:open', onOpen);
    diagnostics.unsubscribe('wstack:close', onClose);
    diagnostics.unsubscribe('wstack:error', onError);
    diagnostics.unsubscribe('wstack:rejection', onRejection);
  });
  t.equal(diagnosticsChannels.open.name, 'wstack:open');
  const server = await createServer({ routes: { '/ok': () => undefined } });
  t.teardown(() => server.close());
  const h1 = await connect(`${server.url}ok`, { transport: 'h1' });
  const h2 = await connect(`${server.url}ok`, { transport: 'h2' });
  t.match(server.stats(), { open: 2, rejected: 0, byTransport: { 'http/1.1': { open: 1, opened: 1 }, h2: { open: 1, opened: 1 }, h3: { open: 0 } } });
  h1.close(1000);
  await closed(h1);
  h2.terminate();
  await closed(h2);
  await t.rejects(connect(`${server.url}missing`, { transport: 'h1' }));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.match(server.stats(), { open: 0, rejected: 1, byTransport: { 'http/1.1': { open: 0, opened: 1, failed: 0 }, h2: { open: 0, opened: 1, failed: 1 } } });
  t.same(seen, ['open http/1.1 /ok', 'open h2 /ok', 'close http/1.1 1000 true true', 'error h2 TransportResetError', 'close h2 1006 false true', 'rejection 404 /missing']);
});

t.test('publish reaches the subscribers of a topic on every transport, framed once, compressed or not', async (t) => {
  const server = await createServer({
    perMessageDeflate: { serverNoContextTakeover: true },
    handler: (connection, request) => connection.subscribe(new URL(request.path, 'ws://x').searchParams.get('topic')!),
  });
  t.teardown(() => server.close());
  const open = (transport: ClientTransport, topic: string) => connect(`${server.url}?topic=${topic}`, { transport, perMessageDeflate: true });
  const [newsH1, newsH2, sportH2] = await Promise.all([open('h1', 'news'), open('h2', 'news'), open('h2', 'sport')]);
  t.same(new Set(server.connections.map((connection) => connection.extensions)), new Set(['permessage-deflate; server_no_context_takeover']));
  t.equal(server.topics.subscriberCount('news'), 2);
  const text = 'headline '.repeat(100);
  const news = [nextMessage(newsH1!), nextMessage(newsH2!)];
  let sportGot = 0;
  sportH2!.on('message', () => sportGot++);
  t.same(server.publish('news', text), { sent: 2, skipped: 0, closed: 0 });
  for (const message of await Promise.all(news)) t.same([message.data.toString(), message.binary], [text, false]);
  const score = nextMessage(sportH2!);
  t.same(server.publish('sport', Buffer.from([1, 0])).sent, 1);
  t.same((await score).data, Buffer.from([1, 0]));
  t.equal(sportGot, 1, 'the sport subscriber got only the sport message');
  const onServer = server.connections.find((connection) => connection.subscriptions.includes('sport'))!;
  t.equal(onServer.unsubscribe('sport'), true);
  t.same(server.publish('sport', 'nobody listens'), { sent: 0, skipped: 0, closed: 0 });
  for (const client of [newsH1!, newsH2!, sportH2!]) client.close();
  await Promise.all([newsH1!, newsH2!, sportH2!].map((client) => closed(client)));
});
