/**
 * Without `tls.ca` or `tls.pin` the client trusts what node:tls trusts:
 * Node's bundled roots and the certificates of NODE_EXTRA_CA_CERTS. (quiche's
 * BoringSSL has no CA store of its own here: it trusted nothing.) Runs in a
 * child process against the build, so that the variable is read at start.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

const dist = pathToFileURL(fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;

function connectFromChild(port: number, env: NodeJS.ProcessEnv): Promise<string> {
  const script = `const { connect, SessionPool } = await import(${JSON.stringify(dist)});
    const pool = new SessionPool();
    try { const ws = await connect('wss://127.0.0.1:${port}/', { pool, handshakeTimeout: 5000 }); console.log('open ' + ws.transport); ws.close(1000); }
    catch (error) { console.log('failed: ' + error.code + ' ' + error.message); }
    pool.close(); setTimeout(() => process.exit(0), 200);`;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 20_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    ),
  );
}

t.test('NODE_EXTRA_CA_CERTS is trusted; without it the development certificate is not', async (t) => {
  const server = new WebSocketServer({ handler: () => undefined });
  const { port } = await server.listen({ tls: { cert: devCert.cert, key: devCert.key } });
  const dir = mkdtempSync(join(tmpdir(), 'wstack-h3-roots-'));
  t.teardown(async () => {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  });
  const file = join(dir, 'ca.pem');
  writeFileSync(file, devCert.cert);
  t.equal(await connectFromChild(port, { NODE_EXTRA_CA_CERTS: file }), 'open h3');
  t.match(await connectFromChild(port, { NODE_EXTRA_CA_CERTS: '' }), /^failed: CERT_UNTRUSTED the certificate of 127\.0\.0\.1:\d+ is not trusted: the certificate chain does not lead to a trusted certificate$/);
});
