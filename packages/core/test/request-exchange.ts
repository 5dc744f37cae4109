import t from 'tap';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { serveExchange } from '../src/request-exchange.js';
import type { RequestBodySink, RequestExchange } from '../src/exchange.js';
import type { FieldList } from '../src/response-head.js';
import { ChunkedDecoder } from '../src/chunked-body.js';
import { parseFieldLines, parseResponseHead, declaredLength } from '../src/response-head.js';

/** A request stream in memory: what the server side sends is logged; the request's content is driven by the test. */
class MemoryExchange implements RequestExchange {
  readonly httpVersion: '2.0' | '3.0';
  readonly headOnly: boolean;
  readonly log: string[] = [];
  readonly content: Buffer[] = [];
  sink: RequestBodySink | undefined;
  paused = 0;
  resumed = 0;
  /** Calls the write callbacks only when told (a stalled peer). */
  holdWrites = false;
  held: (() => void)[] = [];
  readonly peer = { remoteAddress: '127.0.0.1', remotePort: 5000, remoteFamily: 'IPv4', localAddress: '127.0.0.1', localPort: 443, encrypted: true, alpnProtocol: 'h3' };

  constructor(
    readonly method = 'GET',
    readonly path = '/a?b=1',
    readonly fields: FieldList = [['accept', 'text/plain']],
    readonly authority: string | undefined = 'example.test',
    version: '2.0' | '3.0' = '3.0',
  ) {
    this.httpVersion = version;
    this.headOnly = method === 'GET' || method === 'HEAD';
  }

  read(sink: RequestBodySink): void {
    this.sink = sink;
    // As the transports do: a request without content is complete with its head.
    if (this.headOnly) sink.end();
  }
  pause(): void {
    this.paused++;
  }
  resume(): void {
    this.resumed++;
  }
  informational(status: number, fields: FieldList): void {
    this.log.push(`informational ${status} ${fields.map(([n, v]) => `${n}=${v}`).join(' ')}`);
  }
  respond(status: number, fields: FieldList, end: boolean): void {
    this.log.push(`respond ${status}${end ? ' end' : ''}`);
    this.responseFields = fields;
  }
  responseFields: FieldList = [];
  write(chunk: Buffer, done: () => void): void {
    this.content.push(chunk);
    this.log.push(`write ${chunk.length}`);
    if (this.holdWrites) this.held.push(done);
    else done();
  }
  end(trailers: FieldList | undefined): void {
    this.log.push(trailers ? `end ${trailers.map(([n, v]) => `${n}=${v}`).join(' ')}` : 'end');
  }
  reset(): void {
    this.log.push('reset');
  }
  discard(): void {
    this.log.push('discard');
  }
  field(name: string): string | undefined {
    return this.responseFields.find(([n]) => n === name)?.[1];
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function serve(exchange: MemoryExchange, listener: RequestListener): void {
  serveExchange(exchange, listener);
}

t.test('the request is node:http\'s: method, url, version, headers joined as node:http joins them, socket facts', async (t) => {
  const exchange = new MemoryExchange('GET', '/a?b=1', [['accept', 'a'], ['accept', 'b'], ['cookie', 'x=1'], ['cookie', 'y=2']]);
  let seen: IncomingMessage | undefined;
  serve(exchange, (req, res) => {
    seen = req;
    res.end('ok');
  });
  t.equal(seen!.method, 'GET');
  t.equal(seen!.url, '/a?b=1');
  t.equal(seen!.httpVersion, '3.0');
  t.equal(seen!.httpVersionMajor, 3);
  t.equal(seen!.httpVersionMinor, 0);
  t.same(seen!.headers, { host: 'example.test', accept: 'a, b', cookie: 'x=1; y=2' }, 'host from :authority; repeated fields joined');
  t.same(seen!.rawHeaders, ['host', 'example.test', 'accept', 'a', 'accept', 'b', 'cookie', 'x=1', 'cookie', 'y=2']);
  const socket = seen!.socket as unknown as Record<string, unknown> & { address(): unknown; setTimeout(): unknown; setNoDelay(): unknown; setKeepAlive(): unknown; ref(): unknown; unref(): unknown; pause(): unknown; resume(): unknown };
  t.equal(socket.remoteAddress, '127.0.0.1');
  t.equal(socket.remotePort, 5000);
  t.equal(socket.encrypted, true);
  t.equal(socket.alpnProtocol, 'h3');
  t.same(socket.address(), { address: '127.0.0.1', port: 443, family: 'IPv4' });
  t.equal(socket.readable, true, 'readable while the exchange lasts (on-finished reads it)');
  for (const method of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref', 'pause', 'resume'] as const) t.equal(socket[method](), socket, method);
  await settle();
  t.same(exchange.log, ['respond 200', 'write 2', 'end']);
  t.equal(exchange.field('content-length'), '2');
  t.ok(exchange.field('date'), 'node:http\'s Date');
  t.equal(exchange.field('connection'), undefined, 'no connection-specific field (RFC 9114 §4.2)');
});

t.test('an existing host field is kept; no authority, no host; a cleartext peer has no `encrypted`', async (t) => {
  const exchange = new MemoryExchange('GET', '/', [['host', 'h.test']], 'a.test', '2.0');
  (exchange.peer as { encrypted: boolean }).encrypted = false;
  let seen: IncomingMessage | undefined;
  serve(exchange, (req, res) => {
    seen = req;
    res.end();
  });
  t.same(seen!.rawHeaders, ['host', 'h.test']);
  t.equal((seen!.socket as unknown as { encrypted?: boolean }).encrypted, undefined);
  const bare = new MemoryExchange('GET', '/', []);
  (bare as { authority: string | undefined }).authority = undefined;
  serve(bare, (req, res) => {
    seen = req;
    res.end();
  });
  t.same(seen!.rawHeaders, []);
  await settle();
  t.same(exchange.log, ['respond 200 end'], 'an empty response ends with its header section');
});

t.test('the request body: read when the application reads, paused when it does not, with trailers', async (t) => {
  const exchange = new MemoryExchange('POST', '/up');
  const received: Buffer[] = [];
  let request: IncomingMessage | undefined;
  serve(exchange, (req) => {
    request = req;
  });
  const big = Buffer.alloc(64 * 1024, 1);
  exchange.sink!.data(big);
  t.ok(exchange.paused >= 1, 'a full request buffer pauses the stream');
  request!.on('data', (chunk: Buffer) => received.push(chunk));
  await settle();
  t.ok(exchange.resumed >= 1, 'reading resumes it');
  exchange.sink!.data(Buffer.from('tail'));
  exchange.sink!.trailers([['x-sum', '42']]);
  const ended = new Promise((resolve) => request!.once('end', resolve));
  exchange.sink!.end();
  await ended;
  t.equal(Buffer.concat(received).length, big.length + 4);
  t.equal(request!.complete, true);
  t.same(request!.trailers, { 'x-sum': '42' });
  t.equal(request!.headers['transfer-encoding'], 'chunked', 'content of unknown length is said to be chunked, as HTTP/1.1 would carry it');
});

t.test('content with a content-length keeps it, and gets no transfer-encoding', async (t) => {
  let request: IncomingMessage | undefined;
  serve(new MemoryExchange('POST', '/', [['content-length', '3']]), (req) => {
    request = req;
  });
  t.same(request!.rawHeaders, ['host', 'example.test', 'content-length', '3']);
});

t.test('a reset mid-body: the request is aborted (no unhandled error), the response closes', async (t) => {
  const exchange = new MemoryExchange('POST', '/up');
  let request: IncomingMessage | undefined;
  let response: ServerResponse | undefined;
  serve(exchange, (req, res) => {
    request = req;
    response = res;
  });
  const events: string[] = [];
  request!.on('aborted', () => events.push('aborted'));
  request!.on('close', () => events.push('req close'));
  response!.on('close', () => events.push('res close'));
  exchange.sink!.data(Buffer.from('part'));
  exchange.sink!.abort(new Error('reset by the peer'));
  await settle();
  t.same(events.sort(), ['aborted', 'req close', 'res close']);
  t.equal(response!.write('late'), false, 'writes after the reset go nowhere');
  response!.end();
  await settle();
  t.same(exchange.log, [], 'nothing sent, no reset echoed back');
  t.equal(request!.destroyed, true);
});

t.test('an abort after a complete request leaves the request alone and closes the response', async (t) => {
  const exchange = new MemoryExchange('GET', '/');
  let request: IncomingMessage | undefined;
  let response: ServerResponse | undefined;
  serve(exchange, (req, res) => {
    request = req;
    response = res;
  });
  exchange.sink!.end();
  exchange.sink!.abort(new Error('gone'));
  await settle();
  t.equal(request!.complete, true);
  t.equal(response!.destroyed, true);
});

t.test('closed after a normal exchange emits the response\'s close', async (t) => {
  const exchange = new MemoryExchange('GET', '/');
  const events: string[] = [];
  serve(exchange, (_req, res) => {
    res.on('finish', () => events.push('finish'));
    res.on('close', () => events.push('close'));
    res.end('x');
  });
  exchange.sink!.end();
  await settle();
  exchange.sink!.closed();
  await settle();
  t.same(events, ['finish', 'close']);
  t.same(exchange.log, ['respond 200', 'write 1', 'end']);
});

t.test('a response that finishes before the request ends discards the rest of it; later content is dropped', async (t) => {
  const exchange = new MemoryExchange('POST', '/');
  let request: IncomingMessage | undefined;
  serve(exchange, (req, res) => {
    request = req;
    res.end('early');
  });
  await settle();
  t.same(exchange.log, ['respond 200', 'write 5', 'end', 'discard']);
  const buffered = request!.readableLength;
  exchange.sink!.data(Buffer.alloc(100));
  t.equal(request!.readableLength, buffered, 'nothing more is buffered for the application');
});

t.test('Expect: 100-continue is answered before the listener runs, as node:http does without a checkContinue listener', async (t) => {
  const exchange = new MemoryExchange('POST', '/', [['expect', '100-Continue']]);
  serve(exchange, (_req, res) => res.end());
  await settle();
  t.same(exchange.log.slice(0, 2), ['informational 100 ', 'respond 200 end']);
});

t.test('a request reset in its first bytes never reaches the listener', async (t) => {
  const exchange = new MemoryExchange('POST', '/');
  exchange.read = (sink) => sink.abort(new Error('malformed'));
  let called = false;
  serve(exchange, () => (called = true));
  t.equal(called, false);
});

t.test('the unread body of a complete request is read and dropped once the response is out, as node:http does', async (t) => {
  const exchange = new MemoryExchange('POST', '/');
  let request: IncomingMessage | undefined;
  serve(exchange, (req, res) => {
    request = req;
    exchange.sink!.data(Buffer.from('body'));
    exchange.sink!.end();
    res.end('done');
  });
  await settle();
  t.equal(request!.readableFlowing, true);
  t.equal(request!.readableEnded, true, 'read to its end');
});

t.test('HEAD, 204 and 304 carry no content; a HEAD answer keeps its content-length', async (t) => {
  const head = new MemoryExchange('HEAD', '/');
  serve(head, (_req, res) => {
    res.setHeader('content-length', 10);
    res.end();
  });
  const empty = new MemoryExchange('GET', '/');
  serve(empty, (_req, res) => {
    res.statusCode = 204;
    res.end('ignored');
  });
  await settle();
  t.same(head.log, ['respond 200 end']);
  t.equal(head.field('content-length'), '10');
  t.same(empty.log, ['respond 204 end']);
});

t.test('interim responses: 100 Continue and 103 Early Hints before the final one', async (t) => {
  const exchange = new MemoryExchange('POST', '/');
  serve(exchange, (_req, res) => {
    res.writeContinue();
    res.writeEarlyHints({ link: '</a.css>; rel=preload' });
    res.end('ok');
  });
  await settle();
  t.same(exchange.log, ['informational 100 ', 'informational 103 link=</a.css>; rel=preload', 'respond 200', 'write 2', 'end', 'discard']);
});

t.test('a streamed response: header section first, content as written, with backpressure, then trailers', async (t) => {
  const exchange = new MemoryExchange('GET', '/');
  exchange.holdWrites = true;
  let response: ServerResponse | undefined;
  serve(exchange, (_req, res) => {
    response = res;
    res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-digest' });
    res.flushHeaders();
  });
  await settle();
  t.same(exchange.log, ['respond 200'], 'flushHeaders sends the header section alone');
  let wrote = true;
  let count = 0;
  while (wrote && count < 100) {
    wrote = response!.write(Buffer.alloc(4096));
    count++;
  }
  t.equal(wrote, false, 'write returns false while the transport holds back');
  const drained = new Promise((resolve) => response!.once('drain', resolve));
  await settle();
  for (let i = 0; i < 100 && exchange.held.length !== 0; i++) {
    exchange.held.shift()!();
    await settle();
  }
  await drained;
  t.equal(response!.writableNeedDrain, false, "the response's need of a drain is cleared, as node:http's server clears it");
  response!.addTrailers({ 'x-digest': 'abc' });
  exchange.holdWrites = false;
  response!.end();
  await settle();
  t.equal(exchange.log.at(-1), 'end x-digest=abc');
  t.equal(Buffer.concat(exchange.content).length, count * 4096);
});

t.test('a drain after the response ended is not the response\'s', async (t) => {
  const exchange = new MemoryExchange('GET', '/');
  exchange.holdWrites = true;
  let response: ServerResponse | undefined;
  serve(exchange, (_req, res) => {
    response = res;
    res.writeHead(200);
    while (res.write(Buffer.alloc(4096)));
    res.end();
  });
  let drains = 0;
  response!.on('drain', () => drains++);
  await settle();
  for (let i = 0; i < 100 && exchange.held.length !== 0; i++) {
    exchange.held.shift()!();
    await settle();
  }
  t.equal(drains, 0);
  t.equal(exchange.log.at(-1), 'end');
});

t.test('trailers on a response whose length node:http knew are dropped, as node:http drops them', async (t) => {
  const exchange = new MemoryExchange('GET', '/');
  serve(exchange, (_req, res) => {
    res.addTrailers({ 'x-t': '1' });
    res.end();
  });
  await settle();
  t.same(exchange.log, ['respond 200 end']);
});

t.test('content that does not match its content-length resets the stream', async (t) => {
  const short = new MemoryExchange();
  serve(short, (_req, res) => {
    res.setHeader('content-length', 5);
    res.write('abc');
    res.end();
  });
  const long = new MemoryExchange();
  serve(long, (_req, res) => {
    res.setHeader('content-length', 2);
    res.end('abcdef');
  });
  const none = new MemoryExchange();
  serve(none, (_req, res) => {
    res.writeHead(200, { 'content-length': 3 });
    res.end();
  });
  await settle();
  t.same(short.log, ['respond 200', 'write 3', 'reset']);
  t.same(long.log, ['respond 200', 'reset'], 'the excess is never sent');
  t.same(none.log, ['reset']);
});

t.test('res.destroy() resets the stream once; writes after it are dropped', async (t) => {
  const exchange = new MemoryExchange();
  let response: ServerResponse | undefined;
  serve(exchange, (_req, res) => {
    response = res;
    res.write('a');
  });
  await settle();
  response!.destroy();
  response!.destroy();
  response!.write('b');
  await settle();
  t.same(exchange.log, ['respond 200', 'write 1', 'reset']);
});

t.test('what arrives after the stream is over is dropped', async (t) => {
  const exchange = new MemoryExchange();
  let response: ServerResponse | undefined;
  serve(exchange, (_req, res) => {
    response = res;
    res.writeHead(200);
    res.flushHeaders();
  });
  await settle();
  exchange.sink!.closed();
  const socket = response!.socket as unknown as { _write(chunk: Buffer, encoding: string, done: () => void): void };
  let called = false;
  socket._write(Buffer.from('x'), 'buffer', () => (called = true));
  t.ok(called);
  t.same(exchange.log, ['respond 200']);
});

t.test('a head split over writes is read whole', async (t) => {
  const exchange = new MemoryExchange();
  let response: ServerResponse | undefined;
  serve(exchange, (_req, res) => {
    response = res;
  });
  const socket = response!.socket as unknown as { write(chunk: string): boolean };
  socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nx-a: 1\r');
  socket.write('\n\r\nbody');
  await settle();
  t.same(exchange.log, ['informational 100 ', 'respond 200', 'write 4']);
  t.equal(exchange.field('x-a'), '1');
});

t.test('an exception of the listener is the application\'s: thrown again outside the transport', async (t) => {
  const exchange = new MemoryExchange();
  const scheduled: (() => void)[] = [];
  const nextTick = process.nextTick;
  process.nextTick = ((callback: () => void) => scheduled.push(callback)) as typeof process.nextTick;
  try {
    serve(exchange, () => {
      throw new Error('app bug');
    });
  } finally {
    process.nextTick = nextTick;
  }
  const thrown = scheduled.find((callback) => {
    try {
      callback();
      return false;
    } catch (error) {
      return (error as Error).message === 'app bug';
    }
  });
  t.ok(thrown, 'rethrown from a later tick');
});

t.test('the chunked coding read back across any split, extensions skipped', async (t) => {
  const coded = Buffer.from('4;ext=1\r\nabcd\r\n2\r\nef\r\n0\r\nX-A: 1\r\n\r\n');
  for (let split = 1; split < coded.length; split++) {
    const decoder = new ChunkedDecoder();
    const first = decoder.push(coded.subarray(0, split));
    const second = decoder.push(coded.subarray(split));
    t.equal(Buffer.concat([...first.content, ...second.content]).toString(), 'abcdef', `split at ${split}`);
    t.same(second.trailers, [['x-a', '1']]);
  }
  const bare = new ChunkedDecoder();
  t.same(bare.push(Buffer.from('0\r\n\r\n')), { content: [], trailers: [] }, 'no trailers');
  t.same(bare.push(Buffer.from('more')), { content: [] }, 'nothing after the end');
});

t.test('response heads and field lines read back', async (t) => {
  t.same(parseResponseHead('HTTP/1.1 404 Not Found'), { status: 404, fields: [], chunked: false });
  t.same(parseResponseHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip'), { status: 200, fields: [], chunked: false });
  t.same(parseResponseHead('HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTransfer-Encoding: chunked\r\nX-End: 2\r\nbad line\r\n: empty'), {
    status: 200,
    fields: [['x-end', '2']],
    chunked: true,
  });
  t.same(parseFieldLines('A: 1\r\n'), [['a', '1']]);
  t.equal(declaredLength([['content-length', '12']]), 12);
  t.equal(declaredLength([['content-length', '12'], ['content-length', '12']]), 12);
  t.equal(declaredLength([['content-length', '12'], ['content-length', '13']]), undefined);
  t.equal(declaredLength([['content-length', 'x']]), undefined);
  t.equal(declaredLength([]), undefined);
});
