/** connect(url, { transport: 'auto' }): the best transport the server speaks, with fallback. */
import t from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HandshakeError, type WebSocketConnection } from '@wstack/core';
import { createDevCert } from '@wstack/core/dev-cert';
import { WebSocketServer as Http1Server } from '@wstack/http1';
import { connect, ConnectError, createServer, forgetTransports } from '../src/index.js';
import { connectAuto, type Transport } from '../src/auto-connect.js';

t.beforeEach(() => forgetTransports());

t.test('auto picks HTTP/2 where the server allows it', async (t) => {
  for (const devCert of [false, true]) {
    const server = await createServer({ devCert, handler: () => undefined });
    const client = await connect(server.url, { tls: { ca: server.devCert?.cert } });
    t.equal(client.transport, 'h2', devCert ? 'TLS, ALPN h2' : 'h2c with prior knowledge');
    await server.close();
  }
});

t.test('auto falls back to HTTP/1.1, and goes there directly the next time', async (t) => {
  const http = createHttpServer();
  let tcpConnections = 0;
  http.on('connection', () => tcpConnections++);
  new Http1Server({ handler: () => undefined }).attach(http);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  t.teardown(() => http.close());
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const first = await connect(url);
  t.equal(first.transport, 'http/1.1');
  t.equal(tcpConnections, 2, 'an h2c attempt, then HTTP/1.1');
  first.terminate();
  const second = await connect(url);
  t.equal(second.transport, 'http/1.1');
  t.equal(tcpConnections, 3, 'the second time HTTP/1.1 came first and won');
  second.terminate();
  http.closeAllConnections();
});

t.test('auto over TLS to a server without h2 in its ALPN', async (t) => {
  const cert = createDevCert();
  const server = new Http1Server({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: cert.cert, key: cert.key } });
  t.teardown(() => server.close());
  const client = await connect(`wss://127.0.0.1:${port}/`, { tls: { ca: cert.cert } });
  t.equal(client.transport, 'http/1.1');
  client.terminate();
});

t.test('when every transport fails, the error lists each attempt', async (t) => {
  const error = await connect('ws://127.0.0.1:1/').catch((error: unknown) => error);
  t.ok(error instanceof ConnectError);
  const failed = error as ConnectError;
  t.same(failed.attempts.map((attempt) => attempt.transport), ['h2', 'h1']);
  t.match(failed.message, /^no transport reached ws:\/\/127\.0\.0\.1:1\/: h2: .*ECONNREFUSED.*; h1: .*ECONNREFUSED/);
});

/** A stand-in for a connection: only close() is called on losers. */
function fakeConnection(name: string, closes: string[]): WebSocketConnection {
  return { transport: name, close: () => closes.push(name) } as unknown as WebSocketConnection;
}

t.test('an attempt that hangs gets company after the head start; the winner is remembered, the late loser closed', async (t) => {
  const closes: string[] = [];
  const started: Transport[] = [];
  let finishH2!: () => void;
  const aborted: string[] = [];
  const url = new URL('ws://example.test/');
  const connection = await connectAuto(
    url,
    ['h2', 'h1'],
    (transport, signal) => {
      started.push(transport);
      signal.addEventListener('abort', () => aborted.push(transport));
      if (transport === 'h1') return Promise.resolve(fakeConnection('h1', closes));
      return new Promise((resolve) => (finishH2 = () => resolve(fakeConnection('h2', closes))));
    },
    undefined,
    20,
  );
  t.equal(connection.transport, 'h1');
  t.same(started, ['h2', 'h1']);
  t.same(aborted, ['h2'], 'the attempt still running is told to stop');
  finishH2();
  await new Promise((resolve) => setImmediate(resolve));
  t.same(closes, ['h2'], 'a WebSocket that opened too late is closed');
});

t.test('a fast failure starts the next attempt at once; one failed attempt is reported as itself', async (t) => {
  const url = new URL('ws://example.test/');
  const refused = new HandshakeError('NOT_SUPPORTED', 'no h2');
  const began = Date.now();
  const connection = await connectAuto(url, ['h2', 'h1'], (transport) => (transport === 'h2' ? Promise.reject(refused) : Promise.resolve(fakeConnection('h1', []))), undefined, 60_000);
  t.equal(connection.transport, 'h1');
  t.ok(Date.now() - began < 30_000, 'did not wait for the head start');
  await t.rejects(connectAuto(url, ['h2'], () => Promise.reject(refused)), refused);
});

t.test('an aborted signal stops every attempt', async (t) => {
  const controller = new AbortController();
  const url = new URL('ws://example.test/');
  const result = connectAuto(
    url,
    ['h2', 'h1'],
    (_transport, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    controller.signal,
    5,
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  controller.abort(new Error('stop'));
  const error = (await result.catch((error: unknown) => error)) as ConnectError;
  t.same(error.attempts.map((attempt) => (attempt.error as Error).message), ['stop', 'stop']);
});
