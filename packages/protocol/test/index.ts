/** The public entry point: a client and a server talk through it alone. */
import t from 'tap';
import * as core from '../src/index.js';

t.test('a conversation through the public API', async (t) => {
  const client = new core.Protocol({ role: 'client' });
  const server = new core.Protocol({ role: 'server' });
  const pipe = (from: core.Protocol, to: core.Protocol) => {
    for (const chunk of from.dataToSend()) to.receiveData(chunk);
    return to.eventsReceived();
  };
  client.sendText('hello');
  client.sendBinary(Uint8Array.of(1, 2, 3));
  const atServer = pipe(client, server);
  t.same(atServer.map((e) => e.type === 'message' && [e.binary, e.data.toString('hex')]), [[false, '68656c6c6f'], [true, '010203']]);
  server.close(core.CloseCode.GOING_AWAY, 'bye');
  t.same(pipe(server, client), [{ type: 'close', code: 1001, reason: 'bye' }]);
  t.same(pipe(client, server), [{ type: 'close', code: 1001, reason: '' }]);
  t.equal(server.state, 'CLOSED');
  t.equal(core.acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  t.ok(core.wasmMaskAvailable);
});
