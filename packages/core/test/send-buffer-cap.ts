/** maxBufferedAmount: an application that sends on toward a peer that does not read is stopped, not buffered without bound. */
import t from 'tap';
import { CloseCode, UsageError } from '@wstack/protocol';
import { DEFAULT_MAX_SEND_BUFFER } from '../src/connection.js';
import { SendBufferFullError } from '../src/errors.js';
import { closed, nextMessage, pair } from './connection-helpers.js';

const chunk = Buffer.alloc(16 * 1024, 7);

/** Sends until `send` throws (the connection stopped taking messages) or `limit` sends; counts the sends taken. */
function sendRegardless(send: () => boolean, limit: number, connection: { readyState: number }): number {
  let count = 0;
  try {
    while (count < limit) {
      send();
      // The send that finds the buffer over the cap is dropped, and the connection is closing from then on.
      if (connection.readyState !== 1) break;
      count++;
    }
    send();
  } catch (error) {
    t.match(error, UsageError, 'sends after the cap throw as on any closing connection');
    t.equal((error as UsageError).code, 'INVALID_STATE');
  }
  return count;
}

t.test('past maxBufferedAmount the connection closes with 1008; what waits stays bounded; the close timer ends it', async (t) => {
  const { client, server } = pair({ server: { maxBufferedAmount: 256 * 1024, closeTimeout: 200 } });
  client.pause();
  const errors: Error[] = [];
  server.on('error', (error) => errors.push(error));
  const sent = sendRegardless(() => server.send(chunk), 1000, server);
  t.equal(sent, 16, 'after 16 sends of 16 KiB (and their frame headers) more than 256 KiB waits: the 17th is dropped, the 18th throws');
  t.equal(server.readyState, 2, 'CLOSING');
  t.ok(server.bufferedAmount <= 256 * 1024 + chunk.length + 8, `bounded: ${server.bufferedAmount} bytes wait`);
  t.equal(errors.length, 1);
  t.match(errors[0], { name: 'SendBufferFullError', code: 'SEND_BUFFER_FULL', maxBufferedAmount: 256 * 1024 });
  const details = await closed(server);
  t.match(details, { code: CloseCode.ABNORMAL, wasClean: false }, 'the peer never read on: aborted after closeTimeout');
  t.ok(details.error instanceof SendBufferFullError, 'the close details say why');
  client.terminate();
});

t.test('a peer that reads on gets everything sent before, then the close with 1008', async (t) => {
  const { client, server } = pair({ server: { maxBufferedAmount: 64 * 1024 } });
  client.pause();
  const sent = sendRegardless(() => server.send(chunk), 100, server);
  let received = 0;
  client.on('message', () => received++);
  const clientClosed = closed(client);
  client.resume();
  const [atClient, atServer] = await Promise.all([clientClosed, closed(server)]);
  t.equal(received, sent, 'every accepted message arrived');
  t.match(atClient, { code: CloseCode.POLICY_VIOLATION, reason: 'send buffer full', wasClean: true });
  t.match(atServer, { code: CloseCode.POLICY_VIOLATION, wasClean: true });
  t.ok(atServer.error instanceof SendBufferFullError);
});

t.test('the cap is 16 MiB by default and counts every kind of send; Infinity turns it off', async (t) => {
  t.equal(DEFAULT_MAX_SEND_BUFFER, 16 * 1024 * 1024);
  const big = Buffer.alloc(1024 * 1024);
  const capped = pair();
  capped.client.pause();
  const sent = sendRegardless(() => capped.server.send(big), 64, capped.server);
  t.equal(sent, 16, '16 MiB were taken: with their frame headers they are past the default cap');
  capped.client.terminate();
  capped.server.terminate();

  const fragments = pair({ server: { maxBufferedAmount: 100_000 } });
  fragments.client.pause();
  const writer = fragments.server.sendFragments();
  sendRegardless(() => writer.write(chunk), 100, fragments.server);
  t.equal(fragments.server.readyState, 2, 'fragments count too');
  fragments.client.terminate();
  fragments.server.terminate();

  const uncapped = pair({ server: { maxBufferedAmount: Infinity } });
  uncapped.client.pause();
  t.equal(sendRegardless(() => uncapped.server.send(big), 20, uncapped.server), 20);
  t.equal(uncapped.server.readyState, 1, 'still open with 20 MiB waiting');
  uncapped.client.resume();
  const first = await nextMessage(uncapped.client);
  t.equal(first[0].length, big.length);
  uncapped.client.terminate();
  uncapped.server.terminate();
});
