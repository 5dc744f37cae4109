/**
 * How a WebSocket over HTTP/3 ends on the wire: a clean close is the QUIC
 * FIN after the close frame; an abort resets the stream with
 * H3_REQUEST_CANCELLED (RFC 9220 §3, RFC 9114 §4.1.1). Seen by a bare QUIC
 * client that reads the raw stream.
 */
import t, { type Test } from 'tap';
import type { WebSocketConnection } from '@wstack/core';
import { connect, H3ErrorCode, WebSocketServer } from '../src/index.js';
import { encodeHeaders } from '../src/h3/request-stream.js';
import { Http3Session } from '../src/h3/session.js';
import { devCert } from './h3-transport.js';
import { rawClient, type RawClient } from './raw-quiche-client.js';

async function open(t: Test): Promise<{ raw: RawClient; server: WebSocketConnection }> {
  let accepted!: (connection: WebSocketConnection) => void;
  const arrived = new Promise<WebSocketConnection>((resolve) => (accepted = resolve));
  const server = new WebSocketServer({ handler: accepted });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const raw = await rawClient(port, (conn) => {
    conn.streamSend(2, new Http3Session({ role: 'client' }).localStreams().control, false);
    conn.streamSend(0, encodeHeaders([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/'], ['sec-websocket-version', '13']]), false);
  });
  t.teardown(async () => {
    await raw.close();
    await server.close();
  });
  return { raw, server: await arrived };
}

function until(raw: RawClient, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (done()) return resolve();
    raw.onReceive = () => done() && resolve();
  });
}

t.test('terminate() resets the stream with H3_REQUEST_CANCELLED', async (t) => {
  const { raw, server } = await open(t);
  server.terminate();
  await until(raw, () => raw.resets.has(0));
  t.equal(raw.resets.get(0), H3ErrorCode.H3_REQUEST_CANCELLED);
});

t.test('close() ends the stream with FIN after the close frame', async (t) => {
  const { raw, server } = await open(t);
  server.close(1000, 'bye');
  await until(raw, () => raw.finished.has(0));
  const bytes = raw.received.get(0)!;
  // The last DATA frame holds the close frame: 0x88, length 5, code 1000, 'bye'.
  t.same([...bytes.subarray(-7)], [0x88, 5, 0x03, 0xe8, 0x62, 0x79, 0x65]);
  t.notOk(raw.resets.has(0), 'no reset');
});

t.test('a connect abandoned during the QUIC handshake stops the handshake: no more Initial datagrams', async (t) => {
  const { createSocket } = await import('node:dgram');
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.teardown(() => silent.close());
  let datagrams = 0;
  const first = new Promise<void>((resolve) => silent.on('message', () => (datagrams++, resolve())));
  const controller = new AbortController();
  const attempt = connect(`wss://127.0.0.1:${silent.address().port}/`, { signal: controller.signal, tls: { rejectUnauthorized: false } });
  await first;
  controller.abort(new Error('gave up'));
  await t.rejects(attempt, { name: 'AbortError' });
  await new Promise((resolve) => setTimeout(resolve, 200));
  const afterAbort = datagrams;
  // Without a stop, QUIC's loss recovery resends the Initial after about a second (RFC 9002 §6.2.2), then again.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  t.equal(datagrams, afterAbort, `no Initial resent after the abort (${datagrams} datagrams in all)`);
});
