/** The WebIDL conversions of the WHATWG WebSocket's arguments, alone and through the class. */
import t from 'tap';
import { Blob } from 'node:buffer';
import vm from 'node:vm';
import { WebSocketServer } from '@wstack/http1';
import { WebSocket } from '../src/index.js';
import { requireArguments, toClampedUnsignedShort, toSendData, toSubprotocols, toUSVString } from '../src/websocket-idl.js';

t.test('[Clamp] unsigned short: NaN is 0, clamped to 0-65535, ties to even', async (t) => {
  const cases: [unknown, number][] = [
    [1000, 1000],
    [NaN, 0],
    ['string', 0],
    [null, 0],
    ['3000', 3000],
    [-5, 0],
    [0x10000 + 1000, 65535],
    [Infinity, 65535],
    [2999.5, 3000],
    [3000.5, 3000],
    [3001.5, 3002],
    [3000.4, 3000],
    [3000.6, 3001],
  ];
  for (const [value, expected] of cases) t.equal(toClampedUnsignedShort(value), expected, String(value));
  t.throws(() => toClampedUnsignedShort(Symbol('x')), TypeError, 'ToNumber of a Symbol');
  t.throws(() => toClampedUnsignedShort(10n), TypeError, 'ToNumber of a BigInt');
});

t.test('USVString: ToString, lone surrogates become U+FFFD', async (t) => {
  t.equal(toUSVString('\uD807'), '\uFFFD');
  t.equal(toUSVString('a\uDC07b'), 'a\uFFFDb');
  t.equal(toUSVString('\uD801\uDC07'), '\uD801\uDC07', 'a pair stays');
  t.equal(toUSVString('\uDC07\uD801'), '\uFFFD\uFFFD', 'a pair in the wrong order is two lone surrogates');
  t.equal(toUSVString(null), 'null');
  t.equal(toUSVString(12), '12');
  t.throws(() => toUSVString(Symbol('x')), TypeError);
});

t.test('subprotocols: a string or a sequence, tokens, no repeats in any case', async (t) => {
  t.same(toSubprotocols(undefined), []);
  t.same(toSubprotocols('chat'), ['chat']);
  t.same(toSubprotocols(null), ['null'], 'null is the string "null"');
  t.same(toSubprotocols(new Set(['a', 'b'])), ['a', 'b'], 'any iterable is a sequence');
  t.same(toSubprotocols([1, 2]), ['1', '2']);
  for (const bad of [['echo', 'eCho'], ['a', 'a'], ['a b'], [''], 'é', ['/echo']]) {
    t.throws(() => toSubprotocols(bad), { name: 'SyntaxError' }, JSON.stringify(bad));
  }
  t.throws(() => toSubprotocols([Symbol('x')]), TypeError);
});

t.test('send data: a Blob, a buffer or a view (from any realm), else a string', async (t) => {
  const blob = new Blob(['x']);
  t.equal(toSendData(blob), blob);
  const view = new Uint8Array(2);
  t.equal(toSendData(view), view);
  const buffer = new ArrayBuffer(3);
  t.equal(toSendData(buffer), buffer);
  const foreign = vm.runInNewContext('new ArrayBuffer(4)') as ArrayBuffer;
  t.equal(toSendData(foreign), foreign, "another realm's ArrayBuffer is bytes");
  t.equal(toSendData(null), 'null');
  t.equal(toSendData(undefined), 'undefined');
  t.equal(toSendData(42), '42');
  t.equal(toSendData({ toString: () => 'object' }), 'object');
  t.equal(toSendData('\uD807'), '\uFFFD');
  t.throws(() => toSendData(new SharedArrayBuffer(1)), TypeError);
  t.throws(() => toSendData(new Uint8Array(new SharedArrayBuffer(1))), TypeError);
});

t.test('a missing required argument is a TypeError', async (t) => {
  t.throws(() => requireArguments(0, 1, 'send'), { name: 'TypeError', message: 'send: 1 argument required, but only 0 present' });
  t.doesNotThrow(() => requireArguments(1, 1, 'send'));
  t.throws(() => new (WebSocket as unknown as new () => WebSocket)(), TypeError);
});

/** An echo server; `closed` hears the code and reason of each close frame it received. */
async function echoServer(closed: (code: number, reason: string) => void = () => undefined) {
  const wss = new WebSocketServer({
    handler: (connection) => {
      connection.on('message', (data, binary) => connection.send(data, { binary }));
      connection.on('close', ({ code, reason }) => closed(code, reason));
    },
  });
  const { port } = await wss.listen();
  t.teardown(() => wss.close());
  return `ws://127.0.0.1:${port}/`;
}

const next = (ws: WebSocket, type: string) => new Promise<Event>((resolve) => ws.addEventListener(type, resolve, { once: true }));

t.test('send() converts as a browser does: send(null) sends the text "null"', async (t) => {
  const ws = new WebSocket(await echoServer());
  await next(ws, 'open');
  for (const [value, text] of [
    [null, 'null'],
    [undefined, 'undefined'],
    [12.5, '12.5'],
    [{ toString: () => 'an object' }, 'an object'],
    ['\uD807', '\uFFFD'],
  ] as const) {
    ws.send(value as never);
    t.equal(((await next(ws, 'message')) as MessageEvent).data, text, String(text));
  }
  t.throws(() => (ws.send as () => void)(), TypeError, 'send() without an argument');
  ws.close();
  await next(ws, 'close');
});

t.test('close() converts its code ([Clamp]) and reason (USVString); a reason without a code goes with 1000', async (t) => {
  let heard = (_code: number, _reason: string): void => undefined;
  const url = await echoServer((code, reason) => heard(code, reason));
  const closeWith = async (...args: unknown[]) => {
    const received = new Promise<[number, string]>((resolve) => (heard = (code, reason) => resolve([code, reason])));
    const ws = new WebSocket(url);
    await next(ws, 'open');
    (ws.close as (...a: unknown[]) => void)(...args);
    return received;
  };
  t.same(await closeWith(2999.5), [3000, ''], '2999.5 rounds to 3000 (ties to even)');
  t.same(await closeWith(undefined, 'bye'), [1000, 'bye']);
  t.same(await closeWith(4000, '\uD807'), [4000, '\uFFFD'], 'a lone surrogate in the reason is sent as U+FFFD');
  t.same(await closeWith(undefined, ''), [1005, ''], 'an empty reason without a code: a close frame without a body');
  const ws = new WebSocket(url);
  await next(ws, 'open');
  for (const code of [0, NaN, 'string', null, 0x10000 + 1000, 4999.6]) {
    t.throws(() => ws.close(code as number), { name: 'InvalidAccessError' }, String(code));
  }
  ws.close();
  await next(ws, 'close');
});

t.test('a third constructor argument that is not an object is ignored, as a browser ignores extra arguments', async (t) => {
  const ws = new WebSocket(await echoServer(), 'chat', 'Stray argument' as never);
  await next(ws, 'open');
  t.equal(ws.readyState, WebSocket.OPEN);
  ws.close();
  await next(ws, 'close');
});
