/**
 * Requests no conformant client sends, over a real QUIC connection (a bare
 * quiche client that writes whatever bytes a test gives it): the server
 * answers each as RFC 9114, RFC 9204, RFC 9220 and RFC 6455 say (a status,
 * a stream reset, a connection close or a WebSocket close code, as the
 * code of src/ decides), and afterwards it still serves a proper client.
 */
import t, { type Test } from 'tap';
import { closed, echo, nextMessage } from '@wstack/testkit';
import { connect, H3ErrorCode, SessionPool, WebSocketServer } from '../src/index.js';
import { encodeFrame, FrameType } from '../src/h3/frames.js';
import { RequestStreamDecoder, encodeData, encodeHeaders } from '../src/h3/request-stream.js';
import { Http3Session } from '../src/h3/session.js';
import { devCert } from './h3-transport.js';
import { CONNECT_WEBSOCKET, rawClient, type RawClient } from './raw-quiche-client.js';

/** A wait longer than any of these exchanges takes on loopback; a test that needs it has failed. */
const PATIENCE = 5000;

const server = new WebSocketServer({ handler: echo });
const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
t.teardown(() => server.close());

/** Request bytes quiche has not taken yet (it buffers no more than its congestion window allows), by client. */
const unsent = new WeakMap<RawClient, Buffer>();

/** Hands quiche what it takes of the unsent request bytes, and sends. */
function pump(raw: RawClient): void {
  const left = unsent.get(raw);
  if (left === undefined || !raw.conn.isEstablished()) return;
  let taken: number;
  try {
    taken = raw.conn.streamSend(0, left, false) ?? 0;
  } catch {
    // The server stopped the stream (STOP_SENDING) or closed the connection: the rest is not wanted.
    taken = left.length;
  }
  if (taken === left.length) unsent.delete(raw);
  else unsent.set(raw, left.subarray(taken));
  raw.flush();
}

/** A raw client that sends its control stream (uni stream 2) and `request` on bidi stream 0, starting with the handshake's last flight. */
async function send(t: Test, request: Buffer): Promise<RawClient> {
  let first = 0;
  const raw = await rawClient(port, (conn) => {
    conn.streamSend(2, new Http3Session({ role: 'client' }).localStreams().control, false);
    first = conn.streamSend(0, request, false) ?? 0;
  });
  // rawClient resolves before the handshake completes; the rest of the request goes once quiche knows the server's limits.
  await raw.established;
  if (first < request.length) unsent.set(raw, request.subarray(first));
  t.teardown(() => raw.close());
  return raw;
}

/** Resolves once `done()` holds after a datagram; fails the test after PATIENCE ms. */
function until(raw: RawClient, what: string, done: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    pump(raw);
    if (done()) return resolve();
    const timer = setTimeout(() => reject(new Error(`waited ${PATIENCE} ms for ${what}`)), PATIENCE);
    raw.onReceive = () => {
      pump(raw);
      if (!done()) return;
      clearTimeout(timer);
      resolve();
    };
  });
}

/** The server's answer on stream 0, decoded as a client decodes it. */
function answer(raw: RawClient, method = 'CONNECT') {
  const decoder = new RequestStreamDecoder({ role: 'client', requestMethod: method, maxFieldSectionSize: 1 << 20 });
  const events = decoder.receive(raw.received.get(0) ?? Buffer.alloc(0), raw.finished.has(0));
  const response = events.find((event) => event.type === 'response');
  const head = response?.type === 'response' ? response.head : undefined;
  const body = Buffer.concat(events.flatMap((event) => (event.type === 'data' ? [event.data] : [])));
  return { status: head?.status, field: (name: string) => head?.fields.find(([n]) => n === name)?.[1], body };
}

/** The CONNECTION_CLOSE the server sent, as quiche reports it. */
const peerError = (raw: RawClient) => raw.conn.peerError();

/** Another client, through the whole stack, still gets an echo from the same server. */
async function stillServes(t: Test): Promise<void> {
  const pool = new SessionPool();
  try {
    const ws = await connect(`wss://127.0.0.1:${port}/after`, { pool, tls: { ca: devCert.cert } });
    const reply = nextMessage(ws);
    ws.send('still here');
    t.equal((await reply).data.toString(), 'still here', 'afterwards another client gets its echo');
    ws.close(1000);
    await closed(ws);
  } finally {
    pool.close();
  }
}

t.test('CONNECT without :protocol is a TCP tunnel request, not a WebSocket: 501 (RFC 9114 §4.4, RFC 9220 §3)', async (t) => {
  // request-checks.ts answers a plain CONNECT (only :method and :authority) with 501.
  const raw = await send(t, encodeHeaders([[':method', 'CONNECT'], [':authority', 'localhost:443']]));
  await until(raw, 'the answer', () => raw.finished.has(0));
  t.equal(answer(raw).status, 501, 'status 501');
  t.equal(server.connections.size, 0, 'no WebSocket');
  await stillServes(t);
});

t.test('CONNECT with :scheme and :path but no :protocol is malformed: stream reset with H3_MESSAGE_ERROR (RFC 9114 §4.4, §4.1.2)', async (t) => {
  const fields = CONNECT_WEBSOCKET.filter(([name]) => name !== ':protocol');
  const raw = await send(t, encodeHeaders(fields));
  await until(raw, 'a reset', () => raw.resets.has(0));
  t.equal(raw.resets.get(0), H3ErrorCode.H3_MESSAGE_ERROR, 'reset with H3_MESSAGE_ERROR');
  t.equal(answer(raw).status, undefined, 'no response');
  t.equal(peerError(raw), null, 'the connection stays open: a stream error');
  await stillServes(t);
});

t.test('sec-websocket-version 12: 426 with sec-websocket-version 13 (RFC 6455 §4.2.2, §4.4)', async (t) => {
  const fields = CONNECT_WEBSOCKET.map(([name, value]): [string, string] => [name, name === 'sec-websocket-version' ? '12' : value]);
  const raw = await send(t, encodeHeaders(fields));
  await until(raw, 'the answer', () => raw.finished.has(0));
  const got = answer(raw);
  t.equal(got.status, 426, 'status 426');
  t.equal(got.field('sec-websocket-version'), '13', 'names the version spoken');
  await stillServes(t);
});

t.test('header fields over the 16 KiB header-byte limit (below the field section limit): 431 (RFC 6585 §5)', async (t) => {
  const raw = await send(t, encodeHeaders([...CONNECT_WEBSOCKET, ['x-big', 'a'.repeat(20 * 1024)]]));
  await until(raw, 'the answer', () => raw.finished.has(0));
  t.equal(answer(raw).status, 431, 'status 431');
  await stillServes(t);
});

t.test('a field section over SETTINGS_MAX_FIELD_SECTION_SIZE (64 KiB): stream reset with H3_EXCESSIVE_LOAD (RFC 9114 §4.2.2)', async (t) => {
  // qpack.ts raises it as a stream error; §4.2.2 lets a server reset instead of answering 431.
  const raw = await send(t, encodeHeaders([...CONNECT_WEBSOCKET, ['x-big', 'a'.repeat(70 * 1024)]]));
  await until(raw, 'a reset', () => raw.resets.has(0));
  t.equal(raw.resets.get(0), H3ErrorCode.H3_EXCESSIVE_LOAD, 'reset with H3_EXCESSIVE_LOAD');
  t.equal(answer(raw).status, undefined, 'no response');
  t.equal(peerError(raw), null, 'a stream error only');
  await stillServes(t);
});

t.test('HEADERS with a Required Insert Count, though our dynamic table has no capacity: QPACK_DECOMPRESSION_FAILED closes the connection (RFC 9204 §4.5.1.1, §2.2.3)', async (t) => {
  const raw = await send(t, encodeFrame(FrameType.HEADERS, Buffer.from([0x05, 0x00, 0xd1, 0xd7])));
  await until(raw, 'CONNECTION_CLOSE', () => peerError(raw) !== null);
  t.match(peerError(raw), { isApp: true, errorCode: H3ErrorCode.QPACK_DECOMPRESSION_FAILED }, 'CONNECTION_CLOSE with QPACK_DECOMPRESSION_FAILED');
  await stillServes(t);
});

t.test('HEADERS whose field line runs past its end (garbage QPACK): QPACK_DECOMPRESSION_FAILED closes the connection (RFC 9204 §2.2.3)', async (t) => {
  // Prefix 0 0, then a literal with a literal name claiming 100 bytes of name, of which 3 follow.
  const raw = await send(t, encodeFrame(FrameType.HEADERS, Buffer.from([0x00, 0x00, 0x27, 0x5d, 0x61, 0x62, 0x63])));
  await until(raw, 'CONNECTION_CLOSE', () => peerError(raw) !== null);
  t.match(peerError(raw), { isApp: true, errorCode: H3ErrorCode.QPACK_DECOMPRESSION_FAILED }, 'CONNECTION_CLOSE with QPACK_DECOMPRESSION_FAILED');
  await stillServes(t);
});

t.test('DATA before HEADERS: H3_FRAME_UNEXPECTED closes the connection (RFC 9114 §4.1)', async (t) => {
  const raw = await send(t, Buffer.concat([encodeData(Buffer.from('too early')), encodeHeaders(CONNECT_WEBSOCKET)]));
  await until(raw, 'CONNECTION_CLOSE', () => peerError(raw) !== null);
  t.match(peerError(raw), { isApp: true, errorCode: H3ErrorCode.H3_FRAME_UNEXPECTED }, 'CONNECTION_CLOSE with H3_FRAME_UNEXPECTED');
  t.equal(answer(raw).status, undefined, 'no response');
  await stillServes(t);
});

/** A client frame (RFC 6455 §5.2): FIN, `opcode`, masked unless told otherwise. */
function wsFrame(opcode: number, payload: Buffer, masked = true): Buffer {
  if (!masked) return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), key, payload.map((byte, i) => byte ^ key[i % 4]!)]);
}

/** The close code of the first close frame among the server's (unmasked) frames, or undefined. */
function closeCode(bytes: Buffer): number | undefined {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    const length = bytes[at + 1]! & 0x7f;
    // The server's frames here are short: a 7-bit length and no mask (RFC 6455 §5.1).
    if (length > 125 || (bytes[at + 1]! & 0x80) !== 0) return undefined;
    if (opcode === 0x8) return length >= 2 && at + 4 <= bytes.length ? bytes.readUInt16BE(at + 2) : undefined;
    at += 2 + length;
  }
  return undefined;
}

for (const [name, frame, code] of [
  ['an unmasked client frame (RFC 6455 §5.1)', wsFrame(0x1, Buffer.from('bare'), false), 1002],
  ['a reserved opcode 0x3 (RFC 6455 §5.2)', wsFrame(0x3, Buffer.from('what')), 1002],
  ['a text frame that is not UTF-8 (RFC 6455 §8.1)', wsFrame(0x1, Buffer.from([0xc3, 0x28])), 1007],
] as const) {
  t.test(`after a 200 handshake, ${name} in a DATA frame: the server's close frame says ${code}`, async (t) => {
    const raw = await send(t, encodeHeaders(CONNECT_WEBSOCKET));
    await until(raw, 'the 200', () => answer(raw).status !== undefined);
    t.equal(answer(raw).status, 200, 'the handshake succeeded');
    // A good frame first: the WebSocket works before the bad one.
    raw.conn.streamSend(0, encodeData(wsFrame(0x1, Buffer.from('good'))), false);
    raw.flush();
    await until(raw, 'the echo', () => answer(raw).body.includes('good'));
    raw.conn.streamSend(0, encodeData(frame), false);
    raw.flush();
    await until(raw, 'a close frame', () => closeCode(answer(raw).body) !== undefined);
    t.equal(closeCode(answer(raw).body), code, `close code ${code}`);
    // Failing the WebSocket ends the stream (RFC 6455 §7.1.7): FIN after the close frame, or a reset.
    await until(raw, 'the end of the stream', () => raw.finished.has(0) || raw.resets.has(0));
    t.equal(peerError(raw), null, 'the QUIC connection is not closed for one WebSocket');
    await stillServes(t);
  });
}
