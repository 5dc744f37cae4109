/** Deadline: a handshake's time limit and abort signal over several waits. */
import t from 'tap';
import { Deadline } from '../src/deadline.js';
import { AbortError } from '../src/errors.js';

t.test('a wait that finishes in time gets its value', async (t) => {
  const deadline = new Deadline(60_000, undefined, 'the handshake');
  t.equal(await deadline.race(Promise.resolve('answer')), 'answer');
  deadline.clear();
});

t.test('the time limit fails every wait with TIMEOUT', async (t) => {
  const deadline = new Deadline(5, undefined, 'the handshake with example');
  const never = new Promise(() => undefined);
  await t.rejects(deadline.race(never), { name: 'HandshakeError', code: 'TIMEOUT', message: 'the handshake with example did not finish within 5 ms' });
  await t.rejects(deadline.race(never), { code: 'TIMEOUT' }, 'later waits too');
  deadline.clear();
});

t.test('an abort, during the wait or before, fails it with AbortError carrying the reason', async (t) => {
  const controller = new AbortController();
  const deadline = new Deadline(60_000, controller.signal, 'x');
  const waiting = deadline.race(new Promise(() => undefined));
  controller.abort(new Error('stop'));
  const error = (await waiting.catch((error: unknown) => error)) as AbortError;
  t.match(error, { name: 'AbortError', code: 'ABORT_ERR', message: 'the WebSocket connection attempt was aborted' });
  t.equal((error.cause as Error).message, 'stop');
  deadline.clear();
  const already = new Deadline(60_000, AbortSignal.abort('gone'), 'x');
  await t.rejects(already.race(new Promise(() => undefined)), { name: 'AbortError', cause: 'gone' });
  already.clear();
  t.equal(new AbortError().cause, undefined);
});
