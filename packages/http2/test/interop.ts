/**
 * Real HTTP/2 peers: headless Chromium, whose WebSocket rides the HTTP/2
 * session of the page it loaded, and nghttpx, which maps an HTTP/1.1
 * WebSocket to RFC 8441 and back (the `ws` library on its HTTP/1.1 side).
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createSecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { connect as connectTcp, createServer as createTcpServer, type AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer as WsServer } from 'ws';
import { browserEcho, closed, hasChromium, hasNghttpx, launchChromium, NGHTTPX, nextMessage, pattern, requirePeer, sleep } from '@wstack/testkit';
import { connect, http2ServerOptions, SessionPool, WebSocketServer } from '../src/index.js';
import { devCert } from './h2-transport.js';

const PAGE = '<!doctype html><title>wstack over HTTP/2</title>';

t.test('headless Chromium: the page over HTTP/2, its WebSocket as an extended CONNECT on the same session', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  // No allowHTTP1: a fallback to HTTP/1.1 could not even connect.
  const h2 = createSecureServer({ ...http2ServerOptions(), cert: devCert.cert, key: devCert.key });
  const seen: { method: string | undefined; session: ServerHttp2Session | undefined }[] = [];
  const sessions: ServerHttp2Session[] = [];
  h2.on('session', (session: ServerHttp2Session) => sessions.push(session));
  // The page's listener: attach() takes the WebSocket streams before it sees them.
  h2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    seen.push({ method: headers[':method'], session: stream.session });
    if (headers[':method'] === 'GET') {
      stream.respond({ ':status': 200, 'content-type': 'text/html; charset=utf-8' });
      stream.end(PAGE);
    }
  });
  const transports: string[] = [];
  const server = new WebSocketServer({
    protocols: ['chat'],
    handler: (connection) => {
      transports.push(connection.transport);
      connection.on('message', (data, binary) => {
        if (data.toString() === 'close please') connection.close(4000, 'as asked');
        else connection.send(data, { binary });
      });
    },
  }).attach(h2);
  h2.listen(0, '127.0.0.1');
  await once(h2, 'listening');
  const { port } = h2.address() as AddressInfo;
  t.teardown(async () => {
    await server.close();
    h2.close();
  });
  const browser = await launchChromium([`--ignore-certificate-errors-spki-list=${devCert.spkiSha256}`]);
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const response = await page.goto(`https://127.0.0.1:${port}/`);
  t.equal(response?.status(), 200);
  const result = await browserEcho(page, { url: `wss://127.0.0.1:${port}/chat`, text: 'hello over h2', closeBy: 'client' });
  t.same(result, ['open chat ', 'hello over h2', 'binary 1048576 true', 'close 1000  true'], 'a clean close: 1000 came back (without a reason) and the stream ended cleanly');
  t.same(transports, ['h2'], 'the server got the WebSocket over HTTP/2');
  t.ok(seen.length > 0 && seen.every((entry) => entry.method === 'GET'), 'the page (and its icon), never the WebSocket stream, reached the page\'s listener');
  t.ok(sessions.length === 1 && seen[0]!.session === sessions[0], 'one session: the CONNECT stream came on the session that carried the page');
});

/** Starts nghttpx (always with --conf=/dev/null) and waits until its frontend takes connections. */
async function nghttpx(t: Test, frontend: string, backend: string): Promise<number> {
  const port = await freePort();
  const child = spawn(
    NGHTTPX,
    ['--conf=/dev/null', `--frontend=127.0.0.1,${port};${frontend}`, `--backend=${backend}`, '--workers=1', '--accesslog-file=/dev/null', '--errorlog-file=/dev/stderr', '--log-level=WARN'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (errors += text));
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await accepts(port)) return port;
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`nghttpx did not start: ${errors}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createTcpServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

t.test('nghttpx as the HTTP/2 client: ws (HTTP/1.1) → nghttpx → RFC 8441 → our h2c server', async (t) => {
  if (!requirePeer(t, 'nghttpx', hasNghttpx(), 'apt-get install nghttp2-proxy')) return;
  const transports: string[] = [];
  const server = new WebSocketServer({
    handler: (connection) => {
      transports.push(connection.transport);
      connection.on('message', (data, binary) => connection.send(data, { binary }));
    },
  });
  const { port: backend } = await server.listen();
  t.teardown(() => server.close());
  const front = await nghttpx(t, 'no-tls', `127.0.0.1,${backend};;proto=h2`);
  const socket = new WebSocket(`ws://127.0.0.1:${front}/through`);
  await once(socket, 'open');
  socket.send('through nghttpx');
  const [text] = (await once(socket, 'message')) as [Buffer];
  t.equal(text.toString(), 'through nghttpx');
  const big = pattern(1024 * 1024);
  socket.send(big);
  const [bytes] = (await once(socket, 'message')) as [Buffer];
  t.ok(bytes.equals(big), '1 MiB binary echoed');
  socket.close(1000, 'bye');
  const [code] = (await once(socket, 'close')) as [number];
  t.equal(code, 1000);
  t.same(transports, ['h2'], 'nghttpx reached us with an extended CONNECT');
});

t.test('nghttpx as the HTTP/2 server: our client → RFC 8441 → nghttpx → ws (HTTP/1.1)', async (t) => {
  if (!requirePeer(t, 'nghttpx', hasNghttpx(), 'apt-get install nghttp2-proxy')) return;
  const wss = new WsServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  t.teardown(() => wss.close());
  wss.on('connection', (socket) => socket.on('message', (data, binary) => socket.send(data, { binary })));
  const front = await nghttpx(t, 'no-tls', `127.0.0.1,${(wss.address() as AddressInfo).port}`);
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`ws://127.0.0.1:${front}/`, { pool });
  t.equal(client.transport, 'h2');
  client.send('to ws');
  t.equal((await nextMessage(client)).data.toString(), 'to ws');
  const big = pattern(1024 * 1024);
  client.send(big);
  t.ok((await nextMessage(client)).data.equals(big), '1 MiB binary echoed');
  client.close(1000);
  t.equal((await closed(client)).code, 1000);
});
