import t from 'tap';
import { Protocol } from '@wstack/protocol';
import { closeDetailsOf } from '../src/connection-types.js';
import { GoneAwayError, TransportResetError } from '../src/errors.js';

t.test('a transport whose peer sent GOAWAY and then went reports 1001, not 1006', async (t) => {
  const gone = new GoneAwayError('h2', 'the HTTP/2 session ended after the peer\'s GOAWAY');
  const silent = new Protocol({ role: 'server' });
  t.same(closeDetailsOf(silent, undefined, gone), { code: 1001, reason: '', wasClean: false, error: gone });
  const reset = new TransportResetError('h2', 8, 'reset');
  t.same(closeDetailsOf(silent, undefined, reset), { code: 1006, reason: '', wasClean: false, error: reset }, 'any other end is 1006');
  const closing = new Protocol({ role: 'server' });
  closing.close(1000);
  t.equal(closeDetailsOf(closing, undefined, gone).code, 1001, 'our close frame was not answered: still 1001');
});
