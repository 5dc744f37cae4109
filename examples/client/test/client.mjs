import t from 'tap';
import { execFile } from 'node:child_process';

/** Runs the client as a person would; the server lives in this process, so not synchronously. */
const run = (args) =>
  new Promise((resolve) => execFile(process.execPath, args, { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => resolve({ status: error ? error.code : 0, stderr })));
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

t.test('an untrusted development certificate is one line with the way out, not a stack trace', async (t) => {
  const server = await createServer({ devCert: true, handler: (connection) => connection.on('message', (data) => connection.send(data)) });
  t.teardown(() => server.close());
  const script = new URL('../client.mjs', import.meta.url).pathname;
  for (const transport of ['auto', 'h1', 'h2']) {
    const result = await run([script, server.url, transport]);
    t.equal(result.status, 1, transport);
    t.match(result.stderr, /^wss:\/\/127\.0\.0\.1:\d+\/: the server's certificate is not trusted \((DEPTH_ZERO_SELF_SIGNED_CERT|CERT_UNTRUSTED)\); pass --ca FILE with its CA, or --insecure for a development certificate\n$/, transport);
  }
  const insecure = await run([script, server.url, 'h1', '--insecure']);
  t.equal(insecure.status, 0);
});
