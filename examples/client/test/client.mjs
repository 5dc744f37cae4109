import t from 'tap';
import { createServer } from 'wstack';
import { talk } from '../client.mjs';

t.test('the client example over each transport, and auto', async (t) => {
  const server = await createServer({ devCert: true, handler: (connection) => connection.on('message', (data) => connection.send(data)) });
  t.teardown(() => server.close());
  const tls = { ca: server.devCert.cert };
  for (const [transport, expected] of [['h1', 'http/1.1'], ['h2', 'h2'], ['h3', 'h3'], ['auto', 'h3']]) {
    const result = await talk(server.url, { transport, tls, messages: ['one', 'two'] });
    t.same(result, { transport: expected, replies: ['one', 'two'], code: 1000 }, transport);
  }
});
