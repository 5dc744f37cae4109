/** The WHATWG WebSocket interface: the standard's checks, states, binaryType and event order. */
import t from 'tap';
import { Blob } from 'node:buffer';
import { WebSocketServer } from '@wstack/http1';
import { WebSocket, CloseEvent } from '../src/index.js';

async function server(options: ConstructorParameters<typeof WebSocketServer>[0] = {}) {
  const wss = new WebSocketServer({
    protocols: ['chat', 'superchat'],
    handler: (connection) =>
      connection.on('message', (data, binary) => {
        const text = data.toString();
        if (!binary && text.startsWith('close ')) connection.close(Number(text.slice(6)), 'asked');
        else connection.send(data, { binary });
      }),
    ...options,
  });
  const { port } = await wss.listen();
  t.teardown(() => wss.close());
  return `ws://127.0.0.1:${port}`;
}

const event = (ws: WebSocket, type: string) => new Promise<Event>((resolve) => ws.addEventListener(type, resolve, { once: true }));

t.test('the standard\'s URL and subprotocol checks throw SyntaxError', async (t) => {
  for (const url of ['ftp://x/', 'ws://x/#frag', 'not a url']) {
    t.throws(() => new WebSocket(url), { name: 'SyntaxError' }, url);
  }
  for (const protocols of [['a', 'a'], ['a b'], [''], 'é']) {
    t.throws(() => new WebSocket('ws://127.0.0.1:1/', protocols), { name: 'SyntaxError' }, JSON.stringify(protocols));
  }
  const ws = new WebSocket('http://127.0.0.1:1/path');
  t.equal(ws.url, 'ws://127.0.0.1:1/path', 'http becomes ws');
  await event(ws, 'close');
});

t.test('open, subprotocol, text and binary both ways, binaryType', async (t) => {
  const ws = new WebSocket(`${await server()}/x`, ['superchat', 'chat']);
  t.equal(ws.readyState, WebSocket.CONNECTING);
  t.throws(() => ws.send('too early'), { name: 'InvalidStateError' });
  await event(ws, 'open');
  t.equal(ws.readyState, ws.OPEN);
  t.equal(ws.protocol, 'superchat');
  t.equal(ws.extensions, '');
  t.equal(ws.binaryType, 'blob');
  ws.send('hello');
  t.equal(((await event(ws, 'message')) as MessageEvent).data, 'hello');
  ws.send(new Uint8Array([1, 2, 3]));
  const blob = ((await event(ws, 'message')) as MessageEvent).data as Blob;
  t.ok(blob instanceof Blob, 'binary arrives as a Blob by default');
  t.same([...new Uint8Array(await blob.arrayBuffer())], [1, 2, 3]);
  ws.binaryType = 'arraybuffer';
  ws.binaryType = 'nodebuffer' as never;
  t.equal(ws.binaryType, 'arraybuffer', 'an unknown binaryType is ignored');
  ws.send(new Uint16Array([0x0102]).buffer);
  const buffer = ((await event(ws, 'message')) as MessageEvent).data as ArrayBuffer;
  t.ok(buffer instanceof ArrayBuffer);
  t.equal(buffer.byteLength, 2);
  const message = (await new Promise<MessageEvent>((resolve) => {
    ws.onmessage = resolve as (event: Event) => void;
    ws.send(new DataView(new ArrayBuffer(4)));
  })) as MessageEvent;
  t.equal((message.data as ArrayBuffer).byteLength, 4, 'a DataView is sent as its bytes');
  t.equal(message.origin, new URL(ws.url).origin);
  ws.close(1000, 'done');
  t.equal(ws.readyState, ws.CLOSING);
  const close = (await event(ws, 'close')) as CloseEvent;
  t.ok(close instanceof CloseEvent);
  t.same({ code: close.code, reason: close.reason, wasClean: close.wasClean }, { code: 1000, reason: '', wasClean: true });
  t.equal(ws.readyState, WebSocket.CLOSED);
});

t.test('Blobs are sent in order with what follows them', async (t) => {
  const ws = new WebSocket(await server());
  await event(ws, 'open');
  const seen: string[] = [];
  const all = new Promise<void>((resolve) => {
    ws.onmessage = (e) => {
      const data = (e as MessageEvent).data;
      seen.push(typeof data === 'string' ? data : 'blob');
      if (seen.length === 3) resolve();
    };
  });
  ws.send(new Blob([new Uint8Array(200000)]));
  ws.send('after the blob');
  ws.send('and this');
  await all;
  t.same(seen, ['blob', 'after the blob', 'and this']);
  ws.close();
});

t.test('close() checks its code and reason', async (t) => {
  const ws = new WebSocket(await server());
  await event(ws, 'open');
  for (const code of [999, 1001, 1005, 2999, 5000, 4999.6]) t.throws(() => ws.close(code), { name: 'InvalidAccessError' }, String(code));
  t.throws(() => ws.close(1000, 'x'.repeat(124)), { name: 'SyntaxError' });
  t.throws(() => ws.close(1000, 'é'.repeat(62)), { name: 'SyntaxError' }, 'bytes, not characters');
  ws.close(4000, 'é'.repeat(61) + 'a');
  ws.close(1000);
  const close = (await event(ws, 'close')) as CloseEvent;
  t.equal(close.code, 4000);
});

t.test('a close from the server; sends after it count in bufferedAmount and are dropped', async (t) => {
  const ws = new WebSocket(await server());
  await event(ws, 'open');
  const events: string[] = [];
  ws.onerror = () => events.push('error');
  ws.onclose = (e) => events.push(`close ${(e as CloseEvent).code}`);
  ws.send('close 4321');
  await event(ws, 'close');
  t.same(events, ['close 4321'], 'a clean close fires no error');
  ws.send('dropped');
  ws.send(new Blob(['1234']));
  t.equal(ws.bufferedAmount, 11);
  ws.close();
  t.equal(ws.onclose !== null, true);
  ws.onclose = null;
  t.equal(ws.onclose, null);
});

t.test('past maxBufferedAmount toward a server that reads nothing: the WebSocket closes, later sends are dropped without throwing', async (t) => {
  const url = await server({ handler: (connection) => connection.pause() });
  const ws = new WebSocket(url, [], { maxBufferedAmount: 256 * 1024, closeTimeout: 300 });
  await event(ws, 'open');
  const events: string[] = [];
  ws.onerror = () => events.push('error');
  ws.onclose = (e) => events.push(`close ${(e as CloseEvent).code}`);
  const chunk = new Uint8Array(64 * 1024);
  // Bounded: loopback's kernel buffers take a few MiB at most.
  for (let i = 0; i < 1024 && ws.readyState === WebSocket.OPEN; i++) ws.send(chunk);
  t.equal(ws.readyState, WebSocket.CLOSING, 'closing once the cap was passed');
  t.doesNotThrow(() => ws.send(chunk), 'the standard drops sends on a closing WebSocket');
  await event(ws, 'close');
  t.same(events, ['error', 'close 1006'], 'the peer never answered: error, then close 1006');
});

t.test('a failed connection fires error, then close with 1006', async (t) => {
  const ws = new WebSocket('ws://127.0.0.1:1/');
  const events: string[] = [];
  ws.onopen = () => events.push('open');
  ws.onerror = () => events.push('error');
  ws.onclose = (e) => events.push(`close ${(e as CloseEvent).code} ${(e as CloseEvent).wasClean}`);
  await event(ws, 'close');
  t.same(events, ['error', 'close 1006 false']);
  t.equal(ws.readyState, WebSocket.CLOSED);
});

t.test('close() while connecting abandons the handshake: error, then close', async (t) => {
  const ws = new WebSocket(await server());
  ws.close();
  t.equal(ws.readyState, WebSocket.CLOSING);
  const events: string[] = [];
  ws.addEventListener('open', () => events.push('open'));
  ws.addEventListener('error', () => events.push('error'));
  await new Promise((resolve) => ws.addEventListener('close', (e) => resolve(events.push(`close ${(e as CloseEvent).code}`))));
  t.same(events, ['error', 'close 1006']);
});

t.test('a handshake that succeeds after close() began is dropped', async (t) => {
  let release!: () => void;
  const url = await server({ authenticate: () => new Promise<boolean>((resolve) => (release = () => resolve(true))) });
  const ws = new WebSocket(url, [], {
    connect: async (target, options) => {
      const { connect } = await import('@wstack/http1');
      const attempt = connect(target, { ...options, signal: undefined });
      setTimeout(() => release(), 20);
      return attempt;
    },
  });
  ws.close();
  await event(ws, 'close');
  t.equal(ws.readyState, WebSocket.CLOSED, 'the late connection is terminated, the WebSocket stays closed');
});

t.test('permessage-deflate through the options', async (t) => {
  const ws = new WebSocket(await server({ perMessageDeflate: true }), undefined, { perMessageDeflate: true });
  await event(ws, 'open');
  t.equal(ws.extensions, 'permessage-deflate');
  ws.send('x'.repeat(5000));
  t.equal(((await event(ws, 'message')) as MessageEvent).data, 'x'.repeat(5000));
  ws.close();
});

t.test('the same WebSocket over every transport: auto takes HTTP/3 (wss://) or HTTP/2 (ws://), or the transport asked for', async (t) => {
  const { createServer } = await import('../src/index.js');
  const transports: string[] = [];
  const handler = (connection: import('@wstack/core').WebSocketConnection) => {
    transports.push(connection.transport);
    connection.on('message', (data, binary) => connection.send(data, { binary }));
  };
  const cleartext = await createServer({ handler });
  const secure = await createServer({ devCert: true, handler });
  t.teardown(() => Promise.all([cleartext.close(), secure.close()]));
  const tls = { ca: secure.devCert!.cert };
  const cases: [string, object][] = [
    [cleartext.url, {}],
    [cleartext.url, { transport: 'h1' }],
    [cleartext.url, { transport: 'h2' }],
    [secure.url, { tls }],
    [secure.url, { transport: 'h3', tls }],
  ];
  for (const [url, options] of cases) {
    const ws = new WebSocket(url, [], options);
    await event(ws, 'open');
    ws.send('round trip');
    t.equal(((await event(ws, 'message')) as MessageEvent).data, 'round trip', JSON.stringify(options));
    ws.close();
    t.equal(((await event(ws, 'close')) as CloseEvent).code, 1005);
  }
  t.same(transports, ['h2', 'http/1.1', 'h2', 'h3', 'h3']);
});
