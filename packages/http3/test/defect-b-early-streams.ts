/**
 * Defect B of @matrixai/quic 2.0.9 (README; upstream MatrixAI/js-quic issue
 * 128): streams that arrive in the datagram completing the handshake reached
 * `processStreams()` while the connection was still starting; the library
 * shut down the write side of the peer's unidirectional stream, quiche
 * answered InvalidStreamState, and the error escaped the UDP handler and
 * ended the process (an early request stream was reset with code 0).
 * Chromium sends its control stream that way. Without the patch this test
 * dies with `InvalidStreamState(2)`.
 */
import t from 'tap';
import { RequestStreamDecoder, encodeHeaders } from '../src/h3/request-stream.js';
import { Http3Session } from '../src/h3/session.js';
import { WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';
import { rawClient } from './raw-quiche-client.js';

t.test('a control stream and an extended CONNECT sent with the client Finished are served', async (t) => {
  const transports: string[] = [];
  const server = new WebSocketServer({ handler: (connection) => transports.push(connection.transport) });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const session = new Http3Session({ role: 'client' });
  const answered = new Promise<void>((resolve) => {
    const client = rawClient(port, (conn) => {
      // Client uni stream 2: our control stream; client bidi stream 0: the CONNECT (RFC 9220 §3).
      conn.streamSend(2, session.localStreams().control, false);
      conn.streamSend(
        0,
        encodeHeaders([
          [':method', 'CONNECT'],
          [':protocol', 'websocket'],
          [':scheme', 'https'],
          [':authority', `localhost:${port}`],
          [':path', '/early'],
          ['sec-websocket-version', '13'],
        ]),
        false,
      );
    });
    void client.then((raw) => {
      t.teardown(async () => {
        await raw.close();
        await server.close();
      });
      raw.onReceive = () => {
        if (raw.received.has(0)) resolve();
      };
    });
  });
  await answered;
  t.same(transports, ['h3'], 'the WebSocket reached the handler');
  t.pass('the process is still alive');
});

t.test('the server answers 200 on the early request stream', async (t) => {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const raw = await rawClient(port, (conn) => {
    conn.streamSend(2, new Http3Session({ role: 'client' }).localStreams().control, false);
    conn.streamSend(0, encodeHeaders([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/'], ['sec-websocket-version', '13']]), false);
  });
  t.teardown(async () => {
    await raw.close();
    await server.close();
  });
  await new Promise<void>((resolve) => {
    raw.onReceive = () => raw.received.has(0) && resolve();
    if (raw.received.has(0)) resolve();
  });
  const decoder = new RequestStreamDecoder({ role: 'client', requestMethod: 'CONNECT', maxFieldSectionSize: 65536 });
  const events = decoder.receive(raw.received.get(0)!);
  const response = events.find((event) => event.type === 'response');
  t.equal(response?.type === 'response' ? response.head.status : undefined, 200);
});
