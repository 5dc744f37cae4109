/**
 * How a WebSocket's stream ends, seen on the wire (h2c through a frame spy):
 * a clean close is END_STREAM both ways and never RST_STREAM; an abort is
 * RST_STREAM(CANCEL); a GOAWAY closes the session's WebSockets with 1001.
 */
import t, { type Test } from 'tap';
import { connect as http2Connect, constants, createServer as createH2cServer, type ServerHttp2Stream } from 'node:http2';
import { connect as netConnect, type Socket } from 'node:net';
import type { WebSocketConnection } from '@wstack/core';
import { closed, echo, nextMessage } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer } from '../src/index.js';
import { END_STREAM, frameSpy, framesOf, FrameType, seen, type SeenFrame } from './frame-spy.js';
import { closeCodeOf, connectHeaders, FrameCollector, serverFrame, sleep } from './helpers.js';

async function spiedPair(t: Test) {
  let accepted!: (connection: WebSocketConnection) => void;
  const arrived = new Promise<WebSocketConnection>((resolve) => (accepted = resolve));
  const server = new WebSocketServer({ handler: (connection) => accepted(connection) });
  const { port } = await server.listen();
  const spy = await frameSpy(port);
  const pool = new SessionPool();
  t.teardown(async () => {
    pool.close();
    await server.close();
    await spy.close();
  });
  const client = await connect(`ws://127.0.0.1:${spy.port}/`, { pool });
  return { client, server: await arrived, spy, pool };
}

/** What happened on stream 1 (the WebSocket), direction by direction. */
function summary(frames: readonly SeenFrame[]) {
  const stream = framesOf(frames, 1);
  const endStream = (direction: 'up' | 'down') =>
    stream.some((frame) => frame.direction === direction && (frame.type === FrameType.DATA || frame.type === FrameType.HEADERS) && (frame.flags & END_STREAM) !== 0);
  const resets = stream.filter((frame) => frame.type === FrameType.RST_STREAM).map((frame) => `${frame.direction} ${frame.errorCode}`);
  return { upEnded: endStream('up'), downEnded: endStream('down'), resets };
}

for (const side of ['client', 'server'] as const) {
  t.test(`the ${side} closes: END_STREAM both ways, no RST_STREAM`, async (t) => {
    const pair = await spiedPair(t);
    echo(pair.server);
    pair.client.send('before the close');
    t.equal((await nextMessage(pair.client)).data.toString(), 'before the close');
    pair[side].close(1000, 'done');
    const [atClient, atServer] = await Promise.all([closed(pair.client), closed(pair.server)]);
    t.match(atClient, { code: 1000, wasClean: true });
    t.match(atServer, { code: 1000, wasClean: true });
    await seen(pair.spy.frames, (frames) => summary(frames).upEnded && summary(frames).downEnded);
    await sleep(20); // a late RST_STREAM would be here by now
    t.same(summary(pair.spy.frames), { upEnded: true, downEnded: true, resets: [] });
  });
}

for (const side of ['client', 'server'] as const) {
  t.test(`the ${side} terminates: RST_STREAM(CANCEL), and 1006 on the other side`, async (t) => {
    const pair = await spiedPair(t);
    const other = side === 'client' ? pair.server : pair.client;
    pair[side].terminate();
    const details = await closed(other);
    t.match(details, { code: 1006, wasClean: false, error: { name: 'TransportResetError', code: 'STREAM_RESET', transport: 'h2', resetCode: constants.NGHTTP2_CANCEL } });
    t.equal((await closed(pair[side])).code, 1006);
    await seen(pair.spy.frames, (frames) => summary(frames).resets.length > 0);
    const { resets, upEnded, downEnded } = summary(pair.spy.frames);
    t.same(resets, [`${side === 'client' ? 'up' : 'down'} ${constants.NGHTTP2_CANCEL}`]);
    t.equal(side === 'client' ? upEnded : downEnded, false, 'no END_STREAM before the reset: an abort is not an orderly end');
  });
}

t.test('a peer that ends its stream without a close frame: 1006 without RST', async (t) => {
  const pair = await spiedPair(t);
  // The server's stream ends as a half-closed HTTP/2 stream would: END_STREAM, no close frame.
  (pair.server as unknown as { carrier: { end(): void } }).carrier.end();
  const details = await closed(pair.client);
  t.equal(details.code, 1006);
  t.equal(details.wasClean, false);
});

t.test('server shutdown: GOAWAY(NO_ERROR), the WebSockets close with 1001 and END_STREAM', async (t) => {
  let accepted!: (connection: WebSocketConnection) => void;
  const arrived = new Promise<WebSocketConnection>((resolve) => (accepted = resolve));
  const server = new WebSocketServer({ handler: (connection) => accepted(connection) });
  const { port } = await server.listen();
  const spy = await frameSpy(port);
  t.teardown(() => spy.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`ws://127.0.0.1:${spy.port}/`, { pool });
  await arrived;
  await server.close();
  t.match(await closed(client), { code: 1001, wasClean: true });
  t.ok(spy.frames.some((frame) => frame.direction === 'down' && frame.type === FrameType.GOAWAY && frame.errorCode === 0), 'GOAWAY with NO_ERROR');
  await seen(spy.frames, (frames) => summary(frames).upEnded && summary(frames).downEnded);
  t.same(summary(spy.frames).resets, [], 'no RST_STREAM');
});

t.test('a GOAWAY from the server closes the client\'s WebSockets with 1001', async (t) => {
  // A bare node:http2 server that accepts one WebSocket, then says GOAWAY and answers the close.
  const app = createH2cServer({ settings: { enableConnectProtocol: true } });
  let closeFrameCode = 0;
  app.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200 });
    const frames = new FrameCollector(stream);
    void frames.next().then((frame) => {
      closeFrameCode = closeCodeOf(frame);
      stream.end(serverFrame(0x8, frame.payload.subarray(0, 2)));
    });
    setImmediate(() => stream.session?.close());
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.teardown(() => app.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`ws://127.0.0.1:${(app.address() as { port: number }).port}/`, { pool });
  t.match(await closed(client), { code: 1001, wasClean: true });
  t.equal(closeFrameCode, 1001, 'the client sent close 1001');
  t.equal(pool.sessionCount, 0, 'the pool dropped the session');
});

t.test('RST_STREAM from the peer mid-message: 1006 with the reset code', async (t) => {
  const app = createH2cServer({ settings: { enableConnectProtocol: true } });
  app.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200 });
    stream.on('error', () => undefined);
    stream.write(Buffer.from([0x82, 0x7e, 0x10, 0x00, 1, 2, 3])); // 4 KiB announced, 3 bytes sent
    setImmediate(() => stream.destroy(new Error('boom'))); // RST_STREAM(INTERNAL_ERROR)
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  t.teardown(() => app.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`ws://127.0.0.1:${(app.address() as { port: number }).port}/`, { pool });
  let delivered = 0;
  client.on('message', () => delivered++);
  t.match(await closed(client), { code: 1006, wasClean: false, error: { name: 'TransportResetError', resetCode: constants.NGHTTP2_INTERNAL_ERROR } });
  t.equal(delivered, 0, 'nothing half-delivered');
});

t.test('the stream really waits for flow control: a paused reader caps what is in flight at the window', async (t) => {
  const window = 64 * 1024;
  let accepted!: (connection: WebSocketConnection) => void;
  const arrived = new Promise<WebSocketConnection>((resolve) => (accepted = resolve));
  const server = new WebSocketServer({ streamWindowSize: window, handler: (connection) => accepted(connection) });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`ws://127.0.0.1:${port}/`, { pool });
  const atServer = await arrived;
  atServer.pause();
  const stream = (atServer as unknown as { carrier: { stream: ServerHttp2Stream } }).carrier.stream;
  client.send(Buffer.alloc(1024 * 1024, 7));
  await sleep(100);
  // node:http2 may grant one more WINDOW_UPDATE as it hands the first chunks to the paused stream, so what has
  // crossed is bounded by two windows, not one; without flow control the whole megabyte would be there.
  const received = stream.readableLength;
  t.ok(received > 0 && received <= 2 * window, `the paused server's stream holds ${received} bytes, at most two windows of ${window}`);
  t.ok(client.bufferedAmount >= 1024 * 1024 - 2 * window, `the rest waits at the sender: ${client.bufferedAmount} bytes`);
  const message = nextMessage(atServer);
  atServer.resume();
  t.equal((await message).data.length, 1024 * 1024, 'all of it arrives once the reader resumes');
  client.close();
  await Promise.all([closed(client), closed(atServer)]);
});

/** A WebSocket accepted from a bare node:http2 client whose TCP socket the test holds. */
async function bareClient(t: Test) {
  let accepted!: (connection: WebSocketConnection) => void;
  const arrived = new Promise<WebSocketConnection>((resolve) => (accepted = resolve));
  const server = new WebSocketServer({ handler: (connection) => accepted(connection) });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  let socket!: Socket;
  const session = http2Connect(`http://127.0.0.1:${port}`, { createConnection: () => (socket = netConnect(port, '127.0.0.1')) });
  session.on('error', () => undefined);
  const stream = session.request(connectHeaders('/'), { endStream: false });
  stream.on('error', () => undefined);
  await new Promise((resolve) => stream.once('response', resolve));
  return { session, socket, atServer: await arrived };
}

for (const [name, code, expected] of [['NO_ERROR', constants.NGHTTP2_NO_ERROR, 1001], ['INTERNAL_ERROR', constants.NGHTTP2_INTERNAL_ERROR, 1006]] as const) {
  t.test(`a client's GOAWAY(${name}) and then its lost socket end the server's WebSocket with ${expected}`, async (t) => {
    const { session, socket, atServer } = await bareClient(t);
    session.goaway(code);
    await sleep(50);
    socket.destroy();
    const details = await closed(atServer);
    t.equal(details.code, expected);
    if (expected === 1001) t.match(details, { wasClean: false, error: { name: 'GoneAwayError', code: 'GONE_AWAY', transport: 'h2' } }, 'the peer went away: RFC 6455 §7.4.1');
  });
}
