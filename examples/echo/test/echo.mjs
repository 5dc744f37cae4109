import t from 'tap';
import { connect } from 'wstack';
import { nextMessage } from '@wstack/testkit';
import { startEcho } from '../server.mjs';

t.test('the echo example answers on every transport of one port', async (t) => {
  const server = await startEcho({ port: 0 });
  t.teardown(() => server.close());
  const tls = { ca: server.devCert.cert };
  for (const transport of ['h1', 'h2', 'h3']) {
    const connection = await connect(server.url, { transport, tls });
    connection.send(`hello over ${transport}`);
    t.equal((await nextMessage(connection)).data.toString(), `hello over ${transport}`);
    t.equal(connection.transport, { h1: 'http/1.1', h2: 'h2', h3: 'h3' }[transport]);
    connection.close();
  }
});
