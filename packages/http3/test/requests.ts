/**
 * Ordinary HTTP/3 requests (RFC 9114 §4.1) served by a node:http request
 * listener, met by this package's request client and by a raw quiche
 * client for what no well-behaved client sends: content that breaks its
 * content-length and malformed header sections (§4.1.2, §4.3), both reset
 * with H3_MESSAGE_ERROR; trailers; a response that waits for the request's
 * content; shutdown, which answers the requests taken before its GOAWAY
 * (§5.2).
 */
import t, { type Test } from 'tap';
import type { RequestListener } from 'node:http';
import { H3ErrorCode, request, SessionPool, WebSocketServer } from '../src/index.js';
import { encodeDataHeader, encodeHeaders } from '../src/h3/request-stream.js';
import { Http3Session } from '../src/h3/session.js';
import { devCert, refuseRequests } from './h3-transport.js';
import { rawClient } from './raw-quiche-client.js';

const tls = { rejectUnauthorized: false };

async function serve(t: Test, listener: RequestListener) {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key }, request: listener });
  const pool = new SessionPool({ idleTimeout: Infinity });
  t.teardown(async () => {
    pool.close();
    await server.close();
  });
  return { server, pool, origin: `https://127.0.0.1:${port}`, port };
}

t.test('a POST read by the app, a response with trailers, a HEAD; the request is node:http\'s', async (t) => {
  const { pool, origin } = await serve(t, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // node:http refuses a trailer field on an answer to HEAD (no chunked coding there), as on HTTP/1.1.
      if (req.method === 'HEAD') return res.end();
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-count' });
      res.write(`${req.method} ${req.url} ${req.headers.host} ${req.headers['x-test']} `);
      res.addTrailers({ 'x-count': String(Buffer.concat(chunks).length) });
      res.end(Buffer.concat(chunks));
    });
  });
  const reply = await request(`${origin}/up?x=1`, { method: 'POST', body: 'payload', headers: { 'x-test': 'yes' }, tls, pool });
  t.equal(reply.status, 200);
  t.equal(reply.body.toString(), `POST /up?x=1 127.0.0.1:${origin.split(':')[2]} yes payload`);
  t.same(reply.trailers, { 'x-count': '7' }, 'trailers as a trailing HEADERS frame');
  t.equal(reply.headers['transfer-encoding'], undefined, 'no HTTP/1.1 framing leaks into HTTP/3');
  const head = await request(`${origin}/up`, { method: 'HEAD', tls, pool });
  t.same([head.status, head.body.length], [200, 0]);
});

t.test('streamed request content reaches the app as it comes, and the app may answer before it ends', async (t) => {
  const { pool, origin } = await serve(t, (req, res) => {
    let first = true;
    req.on('data', (chunk: Buffer) => {
      if (!first) return;
      first = false;
      res.end(`first chunk of ${chunk.length}`);
    });
  });
  async function* slowly() {
    yield Buffer.alloc(1000, 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    yield Buffer.alloc(1000, 2);
  }
  const reply = await request(`${origin}/`, { method: 'PUT', body: slowly(), tls, pool });
  t.equal(reply.body.toString(), 'first chunk of 1000');
});

t.test('request options are checked', async (t) => {
  await t.rejects(request('http://127.0.0.1:1/'), /https:\/\//);
  await t.rejects(request('https://127.0.0.1:1/', { nope: 1 } as never), TypeError);
  const controller = new AbortController();
  controller.abort();
  await t.rejects(request('https://127.0.0.1:1/', { signal: controller.signal, tls }), { name: 'AbortError' });
});

/** Sends raw request streams and returns the reset code each got (undefined: answered). */
async function rawRequests(t: Test, port: number, streams: Buffer[]): Promise<(number | undefined)[]> {
  const raw = await rawClient(port, (conn) => {
    conn.streamSend(2, new Http3Session({ role: 'client' }).localStreams().control, false);
    streams.forEach((bytes, i) => conn.streamSend(i * 4, bytes, true));
  });
  t.teardown(() => raw.close());
  const ids = streams.map((_, i) => i * 4);
  await new Promise<void>((resolve) => {
    const check = () => ids.every((id) => raw.resets.has(id) || raw.finished.has(id)) && resolve();
    raw.onReceive = check;
    check();
  });
  return ids.map((id) => raw.resets.get(id));
}

t.test('content that breaks its content-length and malformed header sections are reset with H3_MESSAGE_ERROR', async (t) => {
  let served = 0;
  const { port } = await serve(t, (req, res) => {
    served++;
    req.resume();
    req.on('end', () => res.end('ok'));
    req.on('error', () => undefined);
  });
  const head = (fields: [string, string][]) => encodeHeaders([[':method', 'POST'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/'], ...fields]);
  const data = (length: number) => Buffer.concat([encodeDataHeader(length), Buffer.alloc(length)]);
  const codes = await rawRequests(t, port, [
    Buffer.concat([head([['content-length', '5']]), data(10)]),
    Buffer.concat([head([['content-length', '50']]), data(10)]),
    encodeHeaders([[':method', 'GET'], [':scheme', 'https'], [':authority', 'localhost']]),
    encodeHeaders([[':method', 'GET'], [':scheme', 'https'], [':authority', 'localhost'], [':path', '/'], ['connection', 'close']]),
    Buffer.concat([head([['content-length', '10']]), data(10)]),
  ]);
  t.same(codes, [H3ErrorCode.H3_MESSAGE_ERROR, H3ErrorCode.H3_MESSAGE_ERROR, H3ErrorCode.H3_MESSAGE_ERROR, H3ErrorCode.H3_MESSAGE_ERROR, undefined], 'more content, less content, no :path, a connection field; the good one answered');
  t.ok(served >= 1, 'the good one reached the app');
  t.ok(served <= 3, 'no malformed head reached it (content found wrong in the first packet need not either)');
});

t.test('close(): GOAWAY, and the request in flight is answered before the connection closes', async (t) => {
  let release!: () => void;
  const { server, pool, origin } = await serve(t, (_req, res) => {
    release = () => res.end('late but whole');
  });
  const pending = request(`${origin}/slow`, { tls, pool });
  for (let i = 0; i < 100 && release === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  const closing = server.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  release();
  const reply = await pending;
  t.same([reply.status, reply.body.toString()], [200, 'late but whole']);
  t.same(await closing, { closed: 0, terminated: 0 });
});

t.test('a request refused unprocessed (H3_REQUEST_REJECTED) goes to the next connection; a streamed body does not', async (t) => {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key }, request: (req, res) => req.resume().on('end', () => res.end('ok')) });
  t.teardown(() => server.close());
  const pool = new SessionPool({ idleTimeout: Infinity });
  t.teardown(() => pool.close());
  const refusing = refuseRequests(server, 2);
  const reply = await request(`https://127.0.0.1:${port}/`, { method: 'POST', body: 'again', pool, tls });
  t.equal(reply.body.toString(), 'ok', 'answered on the third connection');
  refusing.refuse(1);
  pool.close();
  const fresh = new SessionPool({ idleTimeout: Infinity });
  t.teardown(() => fresh.close());
  async function* body() {
    yield Buffer.from('once');
  }
  await t.rejects(request(`https://127.0.0.1:${port}/`, { method: 'POST', body: body(), pool: fresh, tls }), { message: /reset the stream with code 0x10b/, resetCode: H3ErrorCode.H3_REQUEST_REJECTED }, 'an async iterable cannot be sent again');
});
