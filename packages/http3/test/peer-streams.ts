/** A peer's streams may first show up out of order (RFC 9000 §2.1, §3.2): each id is new exactly once. */
import t from 'tap';
import { PeerStreamIds } from '../src/quic/peer-streams.js';

t.test('ids below the highest seen are new while skipped over, once', (t) => {
  const ids = new PeerStreamIds();
  t.ok(ids.claim(36), 'client bidi 36 opens 0 to 32 implicitly');
  t.ok(ids.claim(8), '8 arrives late: new');
  t.notOk(ids.claim(8), '8 again: not new');
  t.notOk(ids.claim(36), '36 again: not new');
  t.ok(ids.claim(0), '0 arrives last: new');
  t.ok(ids.claim(40));
  for (let id = 4; id <= 32; id += 4) if (id !== 8) t.ok(ids.claim(id), `${id} is new once`);
  for (let id = 0; id <= 40; id += 4) t.notOk(ids.claim(id), `${id} seen`);
  t.end();
});

t.test('each stream type counts on its own', (t) => {
  const ids = new PeerStreamIds();
  t.ok(ids.claim(10), 'client uni 10');
  t.ok(ids.claim(0), 'client bidi 0 is not skipped by a uni id');
  t.ok(ids.claim(2), 'client uni 2, skipped over by 10');
  t.ok(ids.claim(6));
  t.notOk(ids.claim(6));
  t.ok(ids.claim(3), 'server uni 3');
  t.notOk(ids.claim(3));
  t.end();
});
