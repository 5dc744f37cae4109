/** The runtime's errors: stable names and codes that applications can match on. */
import t from 'tap';
import { AbortError, TimeoutError, TransportResetError } from '../src/errors.js';

t.test('a stream reset names its transport and the code on the wire', async (t) => {
  const cause = new Error('session gone');
  const error = new TransportResetError('h2', 8, 'the HTTP/2 stream was reset with CANCEL (8)', { cause });
  t.ok(error instanceof Error);
  t.match(error, { name: 'TransportResetError', code: 'STREAM_RESET', transport: 'h2', resetCode: 8, message: 'the HTTP/2 stream was reset with CANCEL (8)' });
  t.equal(error.cause, cause);
  t.equal(new TransportResetError('h3', 0x10c, 'stopped').cause, undefined);
});

t.test('timeouts and aborts', async (t) => {
  t.match(new TimeoutError('CLOSE_TIMEOUT', 'late'), { name: 'TimeoutError', code: 'CLOSE_TIMEOUT', message: 'late' });
  const reason = new Error('user left');
  t.match(new AbortError(reason), { name: 'AbortError', code: 'ABORT_ERR', cause: reason });
});
