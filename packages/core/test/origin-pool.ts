/** core's OriginPool over sessions of the test's making: sharing, stream limits, idling, retiring. */
import t from 'tap';
import { EventEmitter } from 'node:events';
import { OriginPool, type PooledSession, type Wait } from '../src/origin-pool.js';

class FakeSession implements PooledSession {
  readonly ready: Promise<void>;
  settle!: () => void;
  fail!: (error: Error) => void;
  closed = 0;
  uses: boolean[] = [];
  private readonly retired: (() => void)[] = [];

  constructor(
    readonly origin: string,
    public maxStreams = Infinity,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.fail = reject;
    });
  }

  onRetired(listener: () => void): void {
    this.retired.push(listener);
  }

  retireNow(): void {
    for (const listener of this.retired) listener();
  }

  close(): void {
    this.closed++;
  }

  used(inUse: boolean): void {
    this.uses.push(inUse);
  }
}

class Pool extends OriginPool<FakeSession, string> {
  readonly opened: FakeSession[] = [];

  constructor(
    idleTimeout: number,
    private readonly limit = Infinity,
  ) {
    super(idleTimeout);
  }

  protected key(url: URL, tls: string): string {
    return `${url.host} ${tls}`;
  }

  protected open(url: URL, tls: string): FakeSession {
    const session = new FakeSession(`${url.host} ${tls}`, this.limit);
    this.opened.push(session);
    return session;
  }
}

const url = new URL('wss://example.com/');
const asIs: Wait = (promise) => promise;
const tick = () => new Promise(setImmediate);

t.test('handshakes to one origin share one session, ready at its SETTINGS; other options get their own', async (t) => {
  const pool = new Pool(0);
  const first = pool.acquire(url, 'a', asIs);
  const second = pool.acquire(url, 'a', asIs);
  const other = pool.acquire(url, 'b', asIs);
  t.equal(pool.sessionCount, 2);
  t.notOk(pool.hasSession(url, 'a'), 'not before the SETTINGS');
  pool.opened[0]!.settle();
  pool.opened[1]!.settle();
  const [a1, a2, b] = await Promise.all([first, second, other]);
  t.equal(a1.session, a2.session);
  t.not(a1.session, b.session);
  t.ok(pool.hasSession(url, 'a'));
  t.notOk(pool.hasSession(new URL('wss://elsewhere/'), 'a'));
  t.same(pool.opened[0]!.uses, [true, true]);
  a1.release();
  a1.release(); // twice is once
  t.equal(pool.opened[0]!.closed, 0, 'still in use');
  a2.release();
  t.equal(pool.opened[0]!.closed, 1, 'closed with its last user (no idle time)');
  t.equal(pool.sessionCount, 1);
  b.release();
  t.equal(pool.sessionCount, 0);
});

t.test('past the server\'s stream limit, handshakes move on to another session', async (t) => {
  const pool = new Pool(0, 1);
  const waiting = [pool.acquire(url, '', asIs), pool.acquire(url, '', asIs)];
  t.equal(pool.sessionCount, 1, 'the limit is unknown before the SETTINGS: all wait on one');
  pool.opened[0]!.settle();
  await tick();
  t.equal(pool.sessionCount, 2, 'the second moved on');
  pool.opened[1]!.settle();
  const [one, two] = await Promise.all(waiting);
  t.not(one.session, two.session);
  const third = pool.acquire(url, '', asIs);
  t.equal(pool.sessionCount, 3, 'both full: a third session');
  pool.opened[2]!.settle();
  (await third).release();
  one.release();
  two.release();
});

t.test('what a handshake opened holds its share until it closes', async (t) => {
  const pool = new Pool(0);
  const leased = pool.acquire(url, '', asIs);
  pool.opened[0]!.settle();
  const lease = await leased;
  const opened = new EventEmitter();
  lease.hold(opened as never);
  t.equal(pool.opened[0]!.closed, 0);
  opened.emit('close');
  t.equal(pool.opened[0]!.closed, 1);
});

t.test('idle sessions: kept for idleTimeout without holding the process, reused, then closed; Infinity keeps them until close()', async (t) => {
  const pool = new Pool(30);
  const leased = pool.acquire(url, '', asIs);
  pool.opened[0]!.settle();
  (await leased).release();
  t.equal(pool.opened[0]!.closed, 0, 'kept');
  t.same(pool.opened[0]!.uses, [true, false]);
  const again = await pool.acquire(url, '', asIs);
  t.equal(pool.opened.length, 1, 'reused');
  again.release();
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.equal(pool.opened[0]!.closed, 1, 'closed after the idle time');
  t.equal(pool.sessionCount, 0);

  const forever = new Pool(Infinity);
  const kept = forever.acquire(url, '', asIs);
  forever.opened[0]!.settle();
  (await kept).release();
  t.equal(forever.sessionCount, 1);
  forever.close();
  t.equal(forever.opened[0]!.closed, 1);
  t.equal(forever.sessionCount, 0);
});

t.test('a session that fails to open fails its handshakes and leaves the pool', async (t) => {
  const pool = new Pool(0);
  const leased = pool.acquire(url, '', asIs);
  pool.opened[0]!.fail(new Error('refused'));
  await t.rejects(leased, { message: 'refused' });
  t.equal(pool.sessionCount, 0);
});

t.test('every handshake gave up before the SETTINGS: the opening stops, idle time or not', async (t) => {
  const pool = new Pool(Infinity);
  let giveUp!: (error: Error) => void;
  const gaveUp = new Promise<never>((_, reject) => (giveUp = reject));
  const leased = pool.acquire(url, '', (promise) => Promise.race([promise, gaveUp]));
  giveUp(new Error('aborted'));
  await t.rejects(leased, { message: 'aborted' });
  t.equal(pool.opened[0]!.closed, 1);
  t.equal(pool.sessionCount, 0);
});

t.test('a retired session (GOAWAY, or out of streams) takes no new handshakes and closes with its last user', async (t) => {
  const pool = new Pool(Infinity);
  const leased = pool.acquire(url, '', asIs);
  pool.opened[0]!.settle();
  const lease = await leased;
  pool.opened[0]!.retireNow();
  t.notOk(pool.hasSession(url, ''));
  const next = pool.acquire(url, '', asIs);
  t.equal(pool.opened.length, 2, 'a new session');
  pool.opened[1]!.settle();
  const nextLease = await next;
  pool.retire(nextLease.session);
  pool.retire(nextLease.session); // a session the pool no longer lists
  t.equal(pool.sessionCount, 0);
  lease.release();
  nextLease.release();
  t.same(pool.opened.map((session) => session.closed), [1, 1], 'closed despite the idle time: retired');
});

t.test('close(): every session closes and none is handed out again', async (t) => {
  const pool = new Pool(0);
  const leased = pool.acquire(url, '', asIs);
  pool.opened[0]!.settle();
  const lease = await leased;
  pool.close();
  t.equal(pool.opened[0]!.closed, 1);
  t.equal(pool.sessionCount, 0);
  lease.release();
  t.equal(pool.opened[0]!.closed, 2, 'asked again at its last release (closing is idempotent for sessions)');
});
