/** connect(url, { transport: 'auto' }): the best transport the server speaks, with fallback. */
import t from 'tap';
import { createServer as createHttpServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HandshakeError } from '@wstack/protocol';
import type { WebSocketConnection } from '@wstack/core';
import { createDevCert } from '@wstack/dev-cert';
import { WebSocketServer as Http1Server } from '@wstack/http1';
import { closed } from '@wstack/testkit';
import { connect, ConnectError, createServer, forgetTransports } from '../src/index.js';
import { connectAuto, transportOrder, type Transport } from '../src/auto-connect.js';

t.beforeEach(() => forgetTransports());

t.test('auto picks HTTP/3 where the server serves it, HTTP/2 in cleartext, and reuses what is open', async (t) => {
  const server = await createServer({ devCert: true, handler: () => undefined });
  t.teardown(() => server.close());
  const tls = { ca: server.devCert!.cert };
  const first = await connect(server.url, { tls });
  t.equal(first.transport, 'h3', 'TLS: HTTP/3 on UDP at the same port number');
  const second = await connect(server.url, { tls });
  t.equal(second.transport, 'h3', 'the open QUIC connection is used again');
  const cleartext = await createServer({ handler: () => undefined });
  t.teardown(() => cleartext.close());
  t.equal((await connect(cleartext.url)).transport, 'h2', 'ws://: h2c with prior knowledge, no HTTP/3');
});

t.test('auto: HTTP/3 where an Alt-Svc answer pointed, HTTP/2 meanwhile; an announced HTTP/3 that fails is not tried first again', async (t) => {
  const { WebSocketServer: Http3Server } = await import('@wstack/http3');
  const cert = createDevCert();
  const http3 = new Http3Server({ handler: () => undefined });
  const { port: udpPort } = await http3.listen({ tls: { cert: cert.cert, key: cert.key } });
  t.teardown(() => http3.close());
  // A TCP server that serves no HTTP/3 itself but announces it on another port.
  const server = await createServer({ tls: { cert: cert.cert, key: cert.key }, http3: false, altSvc: `h3=":${udpPort}"`, handler: () => undefined });
  t.teardown(() => server.close());
  const tls = { ca: cert.cert };
  const viaTcp = await connect(server.url, { tls });
  t.equal(viaTcp.transport, 'h2', 'nothing answers QUIC on the TCP port number: HTTP/2 wins');
  viaTcp.close();
  await closed(viaTcp);
  const viaAltSvc = await connect(server.url, { tls });
  t.equal(viaAltSvc.transport, 'h3', 'then the announced port is used');
  t.equal(http3.connections.size, 1);
  viaAltSvc.close();
  await closed(viaAltSvc);
  await http3.close();
  const fellBack = await connect(server.url, { tls });
  t.equal(fellBack.transport, 'h2', 'the announced HTTP/3 is gone: HTTP/2 after the head start');
  fellBack.close();
  await closed(fellBack);
  const state = { h2Session: false, h3Session: false, http3Possible: true };
  t.same(transportOrder(new URL(server.url), state), ['h2', 'h1', 'h3'], 'HTTP/3 is broken here for a while: tried last');
  forgetTransports();
  t.same(transportOrder(new URL(server.url), state), ['h3', 'h2', 'h1'], 'knowing nothing: HTTP/3, HTTP/2, HTTP/1.1');
  t.same(transportOrder(new URL(server.url), { ...state, h2Session: true }), ['h2', 'h3', 'h1'], 'an open HTTP/2 session first');
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
