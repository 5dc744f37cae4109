/**
 * Many busy WebSockets on one session. With node:http2's default session
 * memory (10 MB) and writes handed over whole, 256 streams with 64 KiB in
 * flight each are refused with ENHANCE_YOUR_CALM; with this package's
 * defaults (128 MB, 64 KiB in flight per stream) the same load works.
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
  t.equal(seen.local, 16 * 1024 * 1024, 'the server\'s connection window: 16 MiB');
});
