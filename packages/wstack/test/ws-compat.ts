/**
 * `wstack/ws`: the API of the ws package over every transport. The peer of
 * the HTTP/1.1 tests is the ws package itself; over HTTP/2 and HTTP/3 the
 * client of `wstack/ws` meets a server of `wstack/ws` on createServer.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import WsClient from 'ws';
import { createServer } from '../src/index.js';
import wsDefault, { WebSocket, WebSocketServer, createWebSocketStream } from '../src/ws/index.js';

const opened = (ws: WebSocket | WsClient) => (ws.readyState === 1 ? Promise.resolve() : once(ws as WsClient, 'open').then(() => undefined));
// Not events.once: it rejects on the 'error' that comes before a failed WebSocket's close.
const closedWith = (ws: WebSocket | WsClient) => new Promise<readonly [number, string]>((resolve) => (ws as WsClient).once('close', (code: number, reason: Buffer) => resolve([code, String(reason)] as const)));

function echo(socket: WebSocket): void {
  socket.on('message', (data: Buffer, isBinary: boolean) => socket.send(data, { binary: isBinary }));
}

t.test('the default export is the socket class with the server and the stream helper on it, as in ws', async (t) => {
  t.equal(wsDefault, WebSocket);
  t.equal(wsDefault.WebSocketServer, WebSocketServer);
  t.equal(wsDefault.Server, WebSocketServer);
  t.equal(wsDefault.createWebSocketStream, createWebSocketStream);
  t.same([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED], [0, 1, 2, 3]);
  t.throws(() => new WebSocketServer({}), TypeError, 'one of port, server and noServer');
  t.throws(() => new WebSocketServer({ port: 0, noServer: true }), TypeError);
});

t.test('port: its own HTTP/1.1 server, met by the ws package', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const { port } = wss.address() as AddressInfo;
  const connections: [WebSocket, IncomingMessage][] = [];
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    connections.push([socket, request]);
    echo(socket);
  });
  const client = new WsClient(`ws://127.0.0.1:${port}/room?x=1`, ['chat', 'json']);
  await opened(client);
  t.equal(client.protocol, 'chat', "ws's default: the client's first offer");
  const [[socket, request]] = connections as [[WebSocket, IncomingMessage]];
  t.equal(request.url, '/room?x=1');
  t.equal(socket.protocol, 'chat');
  t.equal(socket.transport, 'http/1.1');
  t.ok(wss.clients!.has(socket), 'tracked in clients');
  client.send('hello');
  const [data, isBinary] = (await once(client, 'message')) as [Buffer, boolean];
  t.same([data.toString(), isBinary], ['hello', false]);
  const plain = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(plain.status, 426, 'a plain request: Upgrade Required');
  const serverSide = closedWith(socket);
  client.close(4000, 'bye');
  t.same(await serverSide, [4000, 'bye'], "close (code, reason) as ws reports it");
  t.equal(wss.clients!.size, 0);
  const closedServer = new Promise<Error | undefined>((resolve) => wss.close(resolve));
  t.equal(await closedServer, undefined);
  t.match(await new Promise((resolve) => wss.close(resolve)), { message: 'The server is not running' }, 'a second close');
});

t.test("noServer and handleUpgrade on a node:http server; 'headers' adds to the answer; path, verifyClient, handleProtocols", async (t) => {
  const wss = new WebSocketServer({
    noServer: true,
    path: '/ws',
    verifyClient: (info: { req: IncomingMessage }) => info.req.headers['x-token'] === 'ok',
    handleProtocols: (protocols: Set<string>) => (protocols.has('b') ? 'b' : false),
  });
  wss.on('headers', (lines: string[]) => lines.push('Set-Cookie: id=7'));
  const clientErrors: [number, string | undefined][] = [];
  wss.on('wsClientError', (error: Error & { status: number }, _socket: unknown, request: IncomingMessage | undefined) => clientErrors.push([error.status, request?.url]));
  const http = createHttpServer();
  http.on('upgrade', (request, socket, head) => wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request)));
  wss.on('connection', echo);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.teardown(() => http.close());
  const base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const client = new WsClient(`${base}/ws`, ['a', 'b'], { headers: { 'x-token': 'ok' } });
  const [response] = (await once(client, 'upgrade')) as [IncomingMessage];
  t.same(response.headers['set-cookie'], ['id=7'], "a 'headers' listener's line is in the 101");
  await opened(client);
  t.equal(client.protocol, 'b', 'handleProtocols chose');
  client.close();
  await closedWith(client);
  const refusal = (url: string, headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WsClient(url, { headers });
      ws.on('unexpected-response', (_request, res) => {
        resolve(res.statusCode!);
        ws.terminate();
      });
      ws.on('error', () => undefined);
    });
  t.equal(await refusal(`${base}/ws`, { 'x-token': 'no' }), 401, 'verifyClient refused: 401');
  t.equal(await refusal(`${base}/elsewhere`, { 'x-token': 'ok' }), 400, 'another path: 400, as ws answers');
  t.same(clientErrors, [[401, '/ws']], 'wsClientError told of the refusal, with the request');
});

t.test('the socket: send callbacks, binaryType, ping and pong, sends after the close, terminate', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  t.teardown(() => wss.close());
  wss.on('connection', (socket: WebSocket) => {
    echo(socket);
    socket.on('ping', (data: Buffer) => socket.send(`pinged ${data}`));
  });
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { transport: 'h1' });
  t.throws(() => client.send('early'), { message: 'WebSocket is not open: readyState 0 (CONNECTING)' });
  await opened(client);
  t.equal(client.transport, 'http/1.1');
  const sent = await new Promise<Error | undefined>((resolve) => client.send('with a callback', resolve));
  t.equal(sent, undefined, 'the callback runs without an error');
  const reply = (await once(client, 'message')) as [Buffer, boolean];
  t.same([Buffer.isBuffer(reply[0]), reply[0].toString(), reply[1]], [true, 'with a callback', false], "text arrives as a Buffer with isBinary false (ws 8)");
  client.binaryType = 'arraybuffer';
  client.send(new Uint8Array([1, 2, 3]));
  const [buffer] = (await once(client, 'message')) as [ArrayBuffer];
  t.ok(buffer instanceof ArrayBuffer);
  t.same([...new Uint8Array(buffer)], [1, 2, 3]);
  client.binaryType = 'fragments';
  client.send(Buffer.from('parts'));
  const [fragments] = (await once(client, 'message')) as [Buffer[]];
  t.same(Buffer.concat(fragments).toString(), 'parts');
  client.binaryType = 'nodebuffer';
  client.send('fragment 1 ', { fin: false });
  client.send('and 2', { fin: true });
  t.equal(((await once(client, 'message')) as [Buffer])[0].toString(), 'fragment 1 and 2', 'fin: false sends a fragment');
  client.ping('p');
  t.equal(((await once(client, 'message')) as [Buffer])[0].toString(), 'pinged p');
  const pong = once(client, 'pong');
  client.ping();
  t.ok(await pong, 'a pong answers the ping');
  let onclose: object | undefined;
  client.onclose = (event) => (onclose = event);
  client.close(1000);
  t.same(await closedWith(client), [1000, '']);
  t.match(onclose, { type: 'close', code: 1000, reason: '', wasClean: true });
  const after = await new Promise<Error | undefined>((resolve) => client.send('late', resolve));
  t.match(after, { message: 'WebSocket is not open: readyState 3 (CLOSED)' });
  t.equal(client.bufferedAmount, 4, 'bytes sent after the close are counted');
  const second = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  await opened(second);
  second.terminate();
  t.same(await closedWith(second), [1006, '']);
});

t.test('a refused handshake: error, then close 1006; unexpected-response for whoever listens', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', verifyClient: () => false });
  await once(wss, 'listening');
  t.teardown(() => wss.close());
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  const client = new WebSocket(url);
  const clientClosed = closedWith(client);
  const [error] = (await once(client, 'error')) as [Error];
  t.equal(error.message, 'Unexpected server response: 401');
  t.same(await clientClosed, [1006, '']);
  const listening = new WebSocket(url);
  const [, response] = (await once(listening, 'unexpected-response')) as [unknown, { statusCode: number }];
  t.equal(response.statusCode, 401);
  const abandoned = new WebSocket(url);
  abandoned.on('error', () => undefined);
  abandoned.close();
  t.same(await closedWith(abandoned), [1006, ''], 'closed while connecting');
});

t.test('createWebSocketStream: a Duplex over the socket', async (t) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  t.teardown(() => wss.close());
  wss.on('connection', echo);
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`);
  const duplex = createWebSocketStream(client);
  duplex.write('through the stream');
  const [chunk] = (await once(duplex, 'data')) as [Buffer];
  t.equal(chunk.toString(), 'through the stream');
  duplex.end();
  await once(client, 'close');
});

t.test('server: createServer — the same sockets over HTTP/1.1, HTTP/2 and HTTP/3', async (t) => {
  const server = await createServer({ devCert: true });
  t.teardown(() => server.close());
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('headers', (lines: string[]) => lines.push('X-Answered-By: wstack/ws'));
  const requests: IncomingMessage[] = [];
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    requests.push(request);
    echo(socket);
  });
  const url = `wss://127.0.0.1:${server.address.port}/ws?q=1`;
  for (const transport of server.transports.map((name) => (name === 'http/1.1' ? 'h1' : name)) as ('h1' | 'h2' | 'h3')[]) {
    const client = new WebSocket(url, ['graphql-transport-ws', 'other'], { transport, rejectUnauthorized: false });
    const [answer] = (await once(client, 'upgrade')) as [{ headers: Record<string, unknown> }];
    t.equal(answer.headers['x-answered-by'], 'wstack/ws', `${transport}: a 'headers' listener's field is in the answer`);
    await opened(client);
    t.equal(client.protocol, 'graphql-transport-ws', `${transport}: the first offer, as ws picks it`);
    client.send(`over ${transport}`);
    t.equal(((await once(client, 'message')) as [Buffer])[0].toString(), `over ${transport}`);
    client.close();
    await closedWith(client);
  }
  t.same(requests.map((request) => request.url), server.transports.map(() => '/ws?q=1'));
  t.same(requests.map((request) => request.headers['sec-websocket-protocol'] !== undefined), server.transports.map(() => true), 'the request carries the headers');
  t.equal(server.transports.length, 3, 'all three transports were run');
});

t.test("the send cap holds for wstack/ws's sockets: past maxBufferedAmount the socket closes with 1008 and the callbacks err", async (t) => {
  const server = await createServer({ maxBufferedAmount: 256 * 1024, closeTimeout: 500 });
  t.teardown(() => server.close());
  const wss = new WebSocketServer({ server });
  const results: (Error | undefined)[] = [];
  const flooded = new Promise<readonly [number, string]>((resolve) =>
    wss.on('connection', (socket: WebSocket) => {
      socket.once('close', (code: number, reason: Buffer) => resolve([code, String(reason)]));
      socket.on('message', () => {
        for (let i = 0; i < 40 && socket.readyState === WebSocket.OPEN; i++) socket.send(Buffer.alloc(64 * 1024), (error) => results.push(error));
      });
    }),
  );
  const client = new WebSocket(server.url);
  await opened(client);
  client.pause();
  client.send('flood me');
  const [code] = await flooded;
  t.equal(code, 1006, 'the server gave up on a peer that reads nothing (its 1008 close frame could not get through)');
  await new Promise((resolve) => setImmediate(resolve));
  t.ok(results.some((error) => error !== undefined), 'sends that did not go out called back with an error');
  t.ok(wss.clients!.size === 0);
  client.terminate();
});

t.test('server: a node:http2 server of your own (RFC 8441), met by the client of wstack/ws over HTTP/2', async (t) => {
  const { createSecureServer } = await import('node:http2');
  const { http2ServerOptions } = await import('@wstack/http2');
  const { createDevCert } = await import('@wstack/dev-cert');
  const cert = createDevCert();
  const http2 = createSecureServer({ ...http2ServerOptions(), cert: cert.cert, key: cert.key });
  const wss = new WebSocketServer({ server: http2 });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    socket.send(`${request.httpVersion} ${request.url}`);
    echo(socket);
  });
  await new Promise<void>((resolve) => http2.listen(0, '127.0.0.1', resolve));
  t.teardown(() => http2.close());
  const client = new WebSocket(`wss://127.0.0.1:${(http2.address() as AddressInfo).port}/h2?x=1`, { transport: 'h2', ca: cert.cert });
  const [greeting] = (await once(client, 'message')) as [Buffer];
  t.equal(greeting.toString(), '2.0 /h2?x=1', 'the request, shaped like node:http\'s');
  t.equal(client.transport, 'h2');
  client.close();
  await closedWith(client);
  wss.close();
});
