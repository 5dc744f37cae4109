/**
 * Interop over HTTP/1.1 with real peers: the ws library both ways, Node's own
 * WebSocket client, and headless Chromium over ws:// and wss://.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import { browserEcho, closed, hasChromium, launchChromium, nextMessage, pattern, requirePeer } from '@wstack/testkit';
import { connect, WebSocketServer } from '../src/index.js';
import { devCert } from './http1-transport.js';

async function echoServer(secure = false) {
  const server = new WebSocketServer({
    protocols: ['chat'],
    handler: (connection) =>
      connection.on('message', (data, binary) => {
        if (data.toString() === 'close please') connection.close(4000, 'as asked');
        else connection.send(data, { binary });
      }),
  });
  const { port } = await server.listen(secure ? { tls: { cert: devCert.cert, key: devCert.key } } : {});
  t.teardown(() => server.close());
  return { server, port };
}

t.test('our client with a ws server', async (t) => {
  const wss = new WsServer({ port: 0, host: '127.0.0.1', handleProtocols: (protocols) => (protocols.has('b') ? 'b' : false) });
  await once(wss, 'listening');
  t.teardown(() => wss.close());
  wss.on('connection', (socket) => {
    socket.on('message', (data, binary) => (data.toString() === 'close please' ? socket.close(4001, 'bye') : socket.send(data, { binary })));
    socket.on('ping', () => undefined);
  });
  const client = await connect(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, { protocols: ['a', 'b'] });
  t.equal(client.protocol, 'b');
  const big = pattern(3 * 1024 * 1024);
  client.send(big);
  t.ok((await nextMessage(client)).data.equals(big), '3 MiB binary, masked by us, unmasked by ws');
  client.send('ünïcödé');
  t.equal((await nextMessage(client)).data.toString(), 'ünïcödé');
  const fragments = client.sendFragments({ binary: false });
  fragments.write('frag');
  fragments.end('mented');
  t.equal((await nextMessage(client)).data.toString(), 'fragmented');
  const pong = new Promise<Buffer>((resolve) => client.once('pong', resolve));
  client.ping('p');
  t.equal((await pong).toString(), 'p');
  client.send('close please');
  t.same(await closed(client), { code: 4001, reason: 'bye', wasClean: true });
});

t.test('a ws client with our server', async (t) => {
  const { port } = await echoServer();
  const socket = new WebSocket(`ws://127.0.0.1:${port}/x`, ['chat']);
  await once(socket, 'open');
  t.equal(socket.protocol, 'chat');
  const big = pattern(5 * 1024 * 1024);
  socket.send(big);
  const [data, binary] = (await once(socket, 'message')) as [Buffer, boolean];
  t.ok(binary && data.equals(big), '5 MiB binary');
  socket.send('héllo');
  const [text] = (await once(socket, 'message')) as [Buffer];
  t.equal(text.toString(), 'héllo');
  socket.send('close please');
  const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
  t.same([code, reason.toString()], [4000, 'as asked']);
  const second = new WebSocket(`ws://127.0.0.1:${port}/`);
  await once(second, 'open');
  second.close(1000, 'client done');
  const [secondCode] = (await once(second, 'close')) as [number];
  t.equal(secondCode, 1000);
});

t.test('Node\'s own WebSocket client with our server', async (t) => {
  const { port } = await echoServer();
  // Global since Node 22; behind --experimental-websocket on Node 20.
  const script = `
    const ws = new WebSocket('ws://127.0.0.1:${port}/node', ['chat']);
    ws.binaryType = 'arraybuffer';
    const out = [];
    ws.onopen = () => { out.push('open ' + ws.protocol); ws.send('from node'); ws.send(new Uint8Array([1, 2, 3])); };
    ws.onmessage = (e) => {
      out.push(typeof e.data === 'string' ? e.data : 'bytes ' + [...new Uint8Array(e.data)].join(','));
      if (out.length === 3) ws.send('close please');
    };
    ws.onclose = (e) => { out.push('close ' + e.code + ' ' + e.reason + ' ' + e.wasClean); console.log(JSON.stringify(out)); };
  `;
  const flags = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function' ? [] : ['--experimental-websocket'];
  const { stdout } = await promisify(execFile)(process.execPath, [...flags, '--no-warnings', '-e', script], { timeout: 10_000 });
  t.same(JSON.parse(stdout), ['open chat', 'from node', 'bytes 1,2,3', 'close 4000 as asked true']);
});

t.test('headless Chromium over ws:// and wss://', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  const plain = await echoServer(false);
  const secure = await echoServer(true);
  const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${devCert.spkiSha256}`]);
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const connections: string[] = [];
  for (const server of [plain.server, secure.server]) server.on('connection', (connection) => connections.push(connection.transport));
  for (const url of [`ws://127.0.0.1:${plain.port}/browser`, `wss://127.0.0.1:${secure.port}/browser`]) {
    const result = await browserEcho(page, { url, text: 'hello from chromium', closeBy: 'server' });
    t.same(result, ['open chat ', 'hello from chromium', 'binary 1048576 true', 'close 4000 as asked true'], url);
  }
  t.same(connections, ['http/1.1', 'http/1.1']);
});

t.test('permessage-deflate with ws, both ways, every parameter set', async (t) => {
  const variants = [true, { serverNoContextTakeover: true, clientNoContextTakeover: true }, { serverMaxWindowBits: 9, clientMaxWindowBits: 10 }] as const;
  for (const options of variants) {
    const label = JSON.stringify(options);
    // ws client → our server
    const server = new WebSocketServer({ perMessageDeflate: options, handler: (c) => c.on('message', (data, binary) => c.send(data, { binary })) });
    const { port } = await server.listen();
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
    await once(socket, 'open');
    t.match(socket.extensions, /permessage-deflate/, `ws negotiated with our server: ${label}`);
    const text = 'the same words again and again '.repeat(5000);
    for (let i = 0; i < 3; i++) {
      socket.send(text);
      const [echo] = (await once(socket, 'message')) as [Buffer];
      t.equal(echo.toString(), text, `${label}: round ${i}`);
    }
    socket.close();
    await server.close();
    // our client → ws server
    const wss = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
    await once(wss, 'listening');
    wss.on('connection', (s) => s.on('message', (data, binary) => s.send(data, { binary })));
    const client = await connect(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, { perMessageDeflate: options });
    t.match(client.extensions, /^permessage-deflate/, `ws server accepted our offer: ${label} → ${client.extensions}`);
    for (let i = 0; i < 3; i++) {
      client.send(text);
      t.equal((await nextMessage(client)).data.toString(), text);
    }
    client.close();
    await closed(client);
    wss.close();
  }
});

t.test('headless Chromium negotiates permessage-deflate with our server', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  const server = new WebSocketServer({ perMessageDeflate: true, handler: (c) => c.on('message', (data, binary) => c.send(data, { binary })) });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const extensions: string[] = [];
  server.on('connection', (connection) => extensions.push(connection.extensions));
  const browser = await launchChromium();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const result = await page.evaluate(async (url) => {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('WebSocket error'));
    });
    const text = 'compress me '.repeat(20000);
    const echoed = await new Promise<string>((resolve) => {
      ws.onmessage = (e) => resolve(e.data as string);
      ws.send(text);
    });
    const close = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
    ws.close(1000);
    return { extensions: ws.extensions, same: echoed === text, code: await close };
  }, `ws://127.0.0.1:${port}/`);
  t.match(result, { same: true, code: 1000 });
  t.match(result.extensions, /^permessage-deflate/, `Chromium sees: ${result.extensions}`);
  t.match(extensions, [/^permessage-deflate/], `the server agreed: ${extensions[0]}`);
});
