/**
 * Many busy WebSockets on one session. With node:http2's default session
 * memory (10 MB) and writes handed over whole, 256 streams with 64 KiB in
 * flight each are refused with ENHANCE_YOUR_CALM; with this package's
 * defaults (128 MB, 64 KiB in flight per stream) the same load works. And
 * the same streams echoing without pause, both ends node:http2, do not
 * stall the session (read-stall-guard.ts).
 */
import t from 'tap';
import type { WebSocketConnection } from '@wstack/core';
import { closed, echo, nextMessage, pattern } from '@wstack/testkit';
import { connect, SessionPool, WebSocketServer, type Http2Tuning } from '../src/index.js';

const STREAMS = 256;
const MESSAGE = 64 * 1024;

type Outcome = 'echoed' | 'corrupted' | 'calm' | string;

/**
 * Opens STREAMS WebSockets at once to one echo server, each sending one 64
 * KiB message; counts what worked. With `untilRefused`, stops at the first
 * ENHANCE_YOUR_CALM (under node:http2's defaults the rest of the session
 * stalls) and tears everything down.
 */
async function load(tuning: Http2Tuning, untilRefused = false) {
  const server = new WebSocketServer({ ...tuning, closeTimeout: 500, handler: echo });
  const { port } = await server.listen();
  const pool = new SessionPool(tuning);
  const clients: WebSocketConnection[] = [];
  let sessions = 0;
  let refused!: () => void;
  const firstRefusal = new Promise<void>((resolve) => (refused = resolve));
  const attempts = Array.from({ length: STREAMS }, async (_, i): Promise<Outcome> => {
    let client: WebSocketConnection | undefined;
    try {
      client = await connect(`ws://127.0.0.1:${port}/${i}`, { pool });
      clients.push(client);
      sessions = Math.max(sessions, pool.sessionCount);
      const payload = pattern(MESSAGE, i + 1);
      client.send(payload);
      const echoed = await nextMessage(client);
      client.close();
      await closed(client);
      return echoed.data.equals(payload) ? 'echoed' : 'corrupted';
    } catch (error) {
      const message = (error as Error).message;
      if (/code 11\b|ENHANCE_YOUR_CALM/.test(message)) {
        refused();
        return 'calm';
      }
      return `failed: ${message}`;
    }
  });
  const settled = Promise.all(attempts);
  const outcomes: Outcome[] = untilRefused ? await Promise.race([settled, firstRefusal.then(() => ['calm'])]) : await settled;
  for (const client of clients) client.terminate();
  pool.close();
  await server.close();
  const count = (what: string) => outcomes.filter((outcome) => outcome === what).length;
  return { echoed: count('echoed'), calm: count('calm'), other: outcomes.filter((outcome) => outcome !== 'echoed' && outcome !== 'calm'), sessions };
}

t.test(`node:http2's defaults: ${STREAMS} streams with 64 KiB in flight get ENHANCE_YOUR_CALM`, async (t) => {
  const result = await load({ maxSessionMemory: 10, maxBytesInFlight: Infinity }, true);
  t.ok(result.calm > 0, 'a stream was refused with ENHANCE_YOUR_CALM');
});

t.test(`this package's defaults: ${STREAMS} streams with 64 KiB in flight all work, on one session`, async (t) => {
  const result = await load({});
  t.equal(result.echoed, STREAMS, `${result.echoed} of ${STREAMS} echoed`);
  t.same(result.other, [], 'no other failure');
  t.equal(result.calm, 0, 'none refused');
  t.equal(result.sessions, 1, 'all on one session');
});

t.test('both ends announce the tuned windows', async (t) => {
  const seen: { local?: number; remote?: number } = {};
  const server = new WebSocketServer({
    handler: (connection) => {
      const session = (connection as unknown as { carrier: { stream: import('node:http2').ServerHttp2Stream } }).carrier.stream.session!;
      seen.remote = session.remoteSettings.initialWindowSize;
      seen.local = session.state.localWindowSize;
      connection.close();
    },
  });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const pool = new SessionPool();
  t.teardown(() => pool.close());
  const client = await connect(`ws://127.0.0.1:${port}/`, { pool });
  await closed(client);
  t.equal(seen.remote, 256 * 1024, 'the client\'s SETTINGS_INITIAL_WINDOW_SIZE: 256 KiB per stream');
  t.equal(seen.local, 2 * 1024 * 1024, 'the server\'s connection window: 2 MiB');
});

const ROUNDS = 4;

/**
 * STREAMS WebSockets on one session, each sending a 64 KiB message as soon
 * as its last one is back, ROUNDS times: both directions of the session
 * stay full. Gives up after `patience` ms and says how far it got.
 */
async function sustained(tuning: Http2Tuning, patience: number) {
  const server = new WebSocketServer({ ...tuning, handler: echo });
  const { port } = await server.listen();
  const pool = new SessionPool(tuning);
  const clients = await Promise.all(Array.from({ length: STREAMS }, () => connect(`ws://127.0.0.1:${port}/`, { pool })));
  let echoed = 0;
  let corrupted = 0;
  const payloads = clients.map((_, i) => pattern(MESSAGE, i + 1));
  const rounds = Promise.all(clients.map(async (client, i) => {
    for (let round = 0; round < ROUNDS; round++) {
      client.send(payloads[i]!);
      const message = await nextMessage(client);
      if (message.data.equals(payloads[i]!)) echoed++;
      else corrupted++;
    }
  }));
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([rounds.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(resolve, patience, false)))]);
  clearTimeout(timer);
  const sessions = pool.sessionCount;
  for (const client of clients) client.terminate();
  pool.close();
  await server.close();
  return { finished, echoed, corrupted, sessions };
}

for (const [name, tuning] of [
  ['the default 2 MiB connection window', {}],
  ['a 16 MiB connection window, which fills the loopback buffers both ways', { connectionWindowSize: 16 * 1024 * 1024 }],
] as const) {
  t.test(`${STREAMS} WebSockets echoing 64 KiB without pause on one session, ${name}: no stall`, async (t) => {
    const result = await sustained(tuning, 20_000);
    t.ok(result.finished, `all round trips done in time (${result.echoed} of ${STREAMS * ROUNDS})`);
    t.equal(result.echoed, STREAMS * ROUNDS, 'every echo came back');
    t.equal(result.corrupted, 0, 'none corrupted');
    t.equal(result.sessions, 1, 'all on one session');
  });
}
