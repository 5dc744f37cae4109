/**
 * Express 5, Express 4 and Koa apps, unchanged, as createServer's `request`
 * listener: the same app over HTTP/1.1, HTTP/2 and HTTP/3 from one port.
 * GET, HEAD, a POST with a 1 MiB body, a streamed response with
 * backpressure, a 404, a client that resets mid-body (the app sees its
 * request aborted; the server goes on).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import t from 'tap';
import express from 'express';
import express4 from 'express4';
import Koa from 'koa';
import { createServer } from '../src/index.js';
import { clientFor, type Transport } from './request-clients.js';

const TRANSPORTS: Transport[] = ['http/1.1', 'h2', 'h3'];
const BODY = Buffer.alloc(1024 * 1024, 7);
const STREAMED_CHUNKS = 32;
const CHUNK = Buffer.alloc(64 * 1024, 1);

/** What each app records of aborted uploads, for the test to see. */
interface Observations {
  aborted: string[];
}

function digest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes the chunks with backpressure: the next one waits for 'drain' when write() says so. */
async function pump(res: ServerResponse): Promise<void> {
  for (let i = 0; i < STREAMED_CHUNKS; i++) {
    if (!res.write(CHUNK)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/** Waits for an upload that the client abandons: its 'close' comes with the request incomplete. */
function watchAbort(req: IncomingMessage, seen: Observations): void {
  req.on('data', () => undefined);
  req.on('close', () => {
    if (!req.complete) seen.aborted.push(String(req.httpVersion));
  });
}

function expressApp(make: typeof express, seen: Observations): RequestListener {
  const app = make();
  app.get('/hello', (req, res) => {
    res.json({ version: req.httpVersion, protocol: req.protocol, secure: req.secure, host: req.hostname, ip: req.ip, query: req.query });
  });
  app.post('/upload', make.raw({ type: '*/*', limit: '2mb' }), (req, res) => {
    const body = req.body as Buffer;
    res.json({ length: body.length, sha256: digest(body) });
  });
  app.get('/stream', (_req, res) => {
    res.type('text/plain');
    void pump(res);
  });
  app.post('/abandoned', (req) => watchAbort(req, seen));
  return app as unknown as RequestListener;
}

function koaApp(seen: Observations): RequestListener {
  const app = new Koa();
  app.use(async (ctx) => {
    if ((ctx.method === 'GET' || ctx.method === 'HEAD') && ctx.path === '/hello') {
      ctx.body = { version: ctx.req.httpVersion, protocol: ctx.protocol, secure: ctx.secure, host: ctx.hostname, ip: ctx.ip, query: { a: ctx.query.a } };
    } else if (ctx.method === 'POST' && ctx.path === '/upload') {
      const chunks: Buffer[] = [];
      for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      ctx.body = { length: body.length, sha256: digest(body) };
    } else if (ctx.method === 'GET' && ctx.path === '/stream') {
      ctx.respond = false;
      ctx.res.statusCode = 200;
      ctx.res.setHeader('content-type', 'text/plain');
      await pump(ctx.res);
    } else if (ctx.method === 'POST' && ctx.path === '/abandoned') {
      ctx.respond = false;
      watchAbort(ctx.req, seen);
    }
  });
  return app.callback() as unknown as RequestListener;
}

const APPS: [string, (seen: Observations) => RequestListener][] = [
  ['Express 5', (seen) => expressApp(express, seen)],
  ['Express 4', (seen) => expressApp(express4 as unknown as typeof express, seen)],
  ['Koa 3', koaApp],
];

const VERSION: Record<Transport, string> = { 'http/1.1': '1.1', h2: '2.0', h3: '3.0' };

for (const [name, make] of APPS) {
  t.test(`${name} over HTTP/1.1, HTTP/2 and HTTP/3 from one createServer`, async (t) => {
    const seen: Observations = { aborted: [] };
    const server = await createServer({ devCert: true, http3: true, request: make(seen) });
    const client = clientFor(server.address.port);
    t.teardown(async () => {
      client.close();
      await server.close();
    });
    for (const transport of TRANSPORTS) {
      const hello = (await client.send(transport, { path: '/hello?a=1' }))!;
      t.equal(hello.status, 200, `${transport}: GET`);
      t.same(JSON.parse(hello.body.toString()), { version: VERSION[transport], protocol: 'https', secure: true, host: '127.0.0.1', ip: '127.0.0.1', query: { a: '1' } }, `${transport}: the app sees the request as node:http's`);
      t.match(hello.headers['content-type'], /^application\/json/);
      if (transport !== 'h3') t.match(hello.headers['alt-svc'], /^h3=":\d+"/, `${transport}: Alt-Svc, since HTTP/3 serves this app too`);

      const head = (await client.send(transport, { method: 'HEAD', path: '/hello?a=1' }))!;
      t.same([head.status, head.body.length, head.headers['content-length']], [200, 0, hello.headers['content-length']], `${transport}: HEAD has the length and no content`);

      const upload = (await client.send(transport, { method: 'POST', path: '/upload', body: BODY, headers: { 'content-type': 'application/octet-stream' } }))!;
      if (upload.status !== 200) t.comment(upload.body.toString());
      t.same([upload.status, JSON.parse(upload.body.toString())], [200, { length: BODY.length, sha256: digest(BODY) }], `${transport}: a 1 MiB body read whole`);

      const streamed = (await client.send(transport, { path: '/stream' }))!;
      t.same([streamed.status, streamed.body.length], [200, STREAMED_CHUNKS * CHUNK.length], `${transport}: a streamed response of 2 MiB`);

      const missing = (await client.send(transport, { path: '/nowhere' }))!;
      t.equal(missing.status, 404, `${transport}: the app's 404`);

      const before = seen.aborted.length;
      await client.send(transport, { method: 'POST', path: '/abandoned', body: BODY, abortAfter: 100_000, headers: { 'content-type': 'application/octet-stream', 'content-length': String(BODY.length) } });
      for (let i = 0; i < 100 && seen.aborted.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      t.same(seen.aborted.slice(before), [VERSION[transport]], `${transport}: a client gone mid-body: the app's request closes incomplete`);
      const after = (await client.send(transport, { path: '/hello' }))!;
      t.equal(after.status, 200, `${transport}: the server goes on`);
    }
  });
}

t.test('without a request listener: the default answers, and no Alt-Svc on them', async (t) => {
  const server = await createServer({ devCert: true, http3: true });
  const client = clientFor(server.address.port);
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  const statuses: Record<Transport, number> = { 'http/1.1': 426, h2: 405, h3: 405 };
  for (const transport of TRANSPORTS) {
    const reply = (await client.send(transport, { path: '/' }))!;
    t.equal(reply.status, statuses[transport], transport);
    t.equal(reply.headers['alt-svc'], undefined, `${transport}: nobody is invited to HTTP/3 for a page it does not serve`);
  }
});

t.test('a plain listener: trailers added without a Trailer field, and a response piped after a drain, on every transport', async (t) => {
  const server = await createServer({
    devCert: true,
    http3: true,
    request: (req, res) => {
      if (req.url === '/trailers') {
        res.write('content');
        res.addTrailers({ 'x-checksum': 'abc' });
        res.end();
        return;
      }
      // A first pass waits for 'drain' itself; a second piece is piped, which pipe() starts only if no drain is owed.
      void (async () => {
        while (res.write(CHUNK));
        await new Promise((resolve) => res.once('drain', resolve));
        const { Readable } = await import('node:stream');
        Readable.from([CHUNK, CHUNK]).pipe(res);
      })();
    },
  });
  const client = clientFor(server.address.port);
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  for (const transport of TRANSPORTS) {
    const reply = (await client.send(transport, { path: '/trailers' }))!;
    t.same([reply.body.toString(), reply.trailers['x-checksum']], ['content', 'abc'], `${transport}: the trailer arrives`);
    const piped = (await client.send(transport, { path: '/piped' }))!;
    t.equal(piped.body.length % CHUNK.length, 0, `${transport}: written, drained, then piped to the end`);
    t.ok(piped.body.length >= 3 * CHUNK.length);
  }
});
