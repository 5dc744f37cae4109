import t from 'tap';
import { decideUpgrade, handlerFor, handshakeDeadlines, reject, statusText, type ServerPolicy, type UpgradeRequest } from '../src/upgrade-policy.js';

const request = (overrides: Partial<UpgradeRequest> = {}): UpgradeRequest => ({
  transport: 'http/1.1',
  path: '/chat?x=1',
  pathname: '/chat',
  authority: 'example.com',
  origin: 'https://example.com',
  headers: {},
  protocols: ['v1', 'v2'],
  extensions: [],
  remoteAddress: '127.0.0.1',
  ...overrides,
});

const handler = () => undefined;
const other = () => undefined;

t.test('routing: exact pathname, then the fallback handler, else 404', async (t) => {
  t.same(await decideUpgrade(request(), {}), { reject: { status: 404, body: 'Not Found' } });
  const routed = await decideUpgrade(request(), { routes: { '/chat': other }, handler });
  t.equal('accept' in routed && routed.accept.handler, other);
  const fallback = await decideUpgrade(request({ pathname: '/else' }), { routes: { '/chat': other }, handler });
  t.equal('accept' in fallback && fallback.accept.handler, handler);
  t.same(await decideUpgrade(request({ pathname: '/else' }), { routes: { '/chat': other } }), { reject: { status: 404, body: 'Not Found' } });
});

t.test('a path with no handler of its own goes to `unrouted` when given; a prototype key is no route', async (t) => {
  const unrouted = () => undefined;
  const taken = await decideUpgrade(request({ pathname: '/else' }), { routes: { '/chat': other } }, unrouted);
  t.equal('accept' in taken && taken.accept.handler, unrouted);
  const routed = await decideUpgrade(request(), { routes: { '/chat': other } }, unrouted);
  t.equal('accept' in routed && routed.accept.handler, other, 'a route comes first');
  const fallback = await decideUpgrade(request({ pathname: '/else' }), { handler }, unrouted);
  t.equal('accept' in fallback && fallback.accept.handler, handler, 'then the handler');
  t.same(await decideUpgrade(request({ pathname: 'constructor' }), { routes: {} }), { reject: { status: 404, body: 'Not Found' } });
  t.equal(handlerFor({ routes: { '/a': other } }, 'hasOwnProperty'), undefined);
  t.equal(handlerFor({}, '/a'), undefined);
});

t.test('a tunnel policy takes every path, answers with its own extensions, and still runs the hooks', async (t) => {
  const open = () => undefined;
  const tunnel = { open, extensions: (request: UpgradeRequest) => `x-${request.pathname.slice(1)}` };
  const decision = await decideUpgrade(request({ pathname: '/anywhere' }), { tunnel, protocols: ['v2'], perMessageDeflate: true });
  t.same(decision, { accept: { tunnel: open, protocol: 'v2', extensions: 'x-anywhere' } }, 'no handler needed, no deflate of its own');
  t.same(await decideUpgrade(request(), { tunnel, authenticate: () => false }), { reject: { status: 403, body: 'Forbidden' } });
});

t.test('origins: a list or a function', async (t) => {
  const allowed = (origins: ServerPolicy['origins'], origin?: string) =>
    decideUpgrade(request({ origin }), { handler, origins }).then((d) => ('accept' in d ? 'accept' : d.reject.status));
  t.equal(await allowed(['https://example.com'], 'https://example.com'), 'accept');
  t.equal(await allowed(['https://example.com'], 'https://evil.example'), 403);
  t.equal(await allowed(['https://example.com'], undefined), 403, 'a missing Origin is not in the list');
  t.equal(await allowed((origin) => origin === undefined, undefined), 'accept');
  t.equal(await allowed(() => false, 'x'), 403);
});

t.test('authenticate: accept, refuse, custom answers, exceptions and timeouts', async (t) => {
  const outcome = (authenticate: ServerPolicy['authenticate'], handshakeTimeout?: number) =>
    decideUpgrade(request(), { handler, authenticate, ...(handshakeTimeout ? { handshakeTimeout } : {}) });
  for (const value of [true, undefined]) t.ok('accept' in (await outcome(() => value)), `returns ${value}`);
  t.ok('accept' in (await outcome(async () => true)), 'async true');
  t.same(await outcome(() => false), { reject: { status: 403, body: 'Forbidden' } });
  t.same(await outcome(async () => ({ status: 401, body: 'log in', headers: { 'WWW-Authenticate': 'Bearer' } })), {
    reject: { status: 401, body: 'log in', headers: { 'WWW-Authenticate': 'Bearer' } },
  });
  const thrown = await outcome(() => {
    throw new Error('db down');
  });
  t.match(thrown, { reject: { status: 500 }, error: { message: 'db down' } });
  const rejected = await outcome(() => Promise.reject(new Error('async failure')));
  t.match(rejected, { reject: { status: 500 }, error: { message: 'async failure' } });
  t.same(await outcome(() => new Promise(() => undefined), 30), { reject: { status: 408, body: 'Request Timeout' } }, 'a hook that never answers: 408, never a hang');
});

t.test('subprotocols: a list picks by the client\'s preference; a function picks freely among the offers', async (t) => {
  const chosen = async (protocols: ServerPolicy['protocols'], offered = ['v1', 'v2']) => {
    const decision = await decideUpgrade(request({ protocols: offered }), { handler, protocols });
    return 'accept' in decision ? decision.accept.protocol : `rejected ${decision.reject.status}`;
  };
  t.equal(await chosen(['v2', 'v1']), 'v1');
  t.equal(await chosen(['v3']), '');
  t.equal(await chosen(undefined), '');
  t.equal(await chosen(['v1'], []), '', 'nothing offered');
  t.equal(await chosen((offered) => offered.at(-1)), 'v2');
  t.equal(await chosen(() => null), '');
  t.equal(await chosen(() => undefined), '');
  t.equal(await chosen(() => ''), '');
  t.equal(await chosen(() => 'v9'), 'rejected 500', 'choosing what was not offered is a server error');
});

t.test('status texts and rejections', async (t) => {
  t.equal(statusText(426), 'Upgrade Required');
  t.equal(statusText(418), 'Error');
  t.same(reject(400), { status: 400, body: 'Bad Request' });
  t.same(reject(426, 'v', { 'Sec-WebSocket-Version': '13, 8' }), { status: 426, body: 'v', headers: { 'Sec-WebSocket-Version': '13, 8' } });
});

t.test('handshakeDeadlines: the TLS handshake and the request head get the handshake timeout, checked at least every second', async (t) => {
  t.same(handshakeDeadlines(), { handshakeTimeout: 10_000, headersTimeout: 10_000, requestTimeout: 300_000, connectionsCheckingInterval: 1000 });
  t.same(handshakeDeadlines(500), { handshakeTimeout: 500, headersTimeout: 500, requestTimeout: 300_000, connectionsCheckingInterval: 500 });
  t.equal(handshakeDeadlines(600_000).requestTimeout, 600_000, 'node:http wants requestTimeout >= headersTimeout');
});
