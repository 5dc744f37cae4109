/** Certificates from files or PEM text; the client's CA check and pins. */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCert } from '@wstack/dev-cert';
import { certificateSha256, connect, SessionPool, spkiSha256, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

t.test('spkiSha256 and certificateSha256 name the certificate', async (t) => {
  t.equal(spkiSha256(devCert.cert), devCert.spkiSha256, 'the SPKI hash Chromium takes');
  t.equal(certificateSha256(devCert.cert), devCert.fingerprint256);
  t.equal(spkiSha256(Buffer.from(devCert.cert)), devCert.spkiSha256, 'PEM bytes');
});

async function echoServer(t: Test, tls: { cert: string; key: string }) {
  const server = new WebSocketServer({ handler: (connection) => connection.on('message', (data, binary) => connection.send(data, { binary })) });
  const { port } = await server.listen({ tls });
  const pool = new SessionPool();
  t.teardown(async () => {
    pool.close();
    await server.close();
  });
  return { port, pool };
}

async function roundTrip(url: string, options: Parameters<typeof connect>[1]): Promise<string> {
  const client = await connect(url, options);
  const reply = new Promise<string>((resolve) => client.once('message', (data) => resolve(data.toString())));
  client.send('hi');
  const text = await reply;
  client.close(1000);
  await new Promise((resolve) => client.once('close', resolve));
  return text;
}

t.test('certificate and key as files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wstack-h3-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cert.pem'), devCert.cert);
  writeFileSync(join(dir, 'key.pem'), devCert.key);
  const { port, pool } = await echoServer(t, { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') });
  t.equal(await roundTrip(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: join(dir, 'cert.pem') } }), 'hi', 'CA from a file too');
});

t.test('the client verifies against a CA, by name', async (t) => {
  const { port, pool } = await echoServer(t, devCert);
  t.equal(await roundTrip(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: devCert.cert } }), 'hi');
  t.equal(await roundTrip(`wss://localhost:${port}/`, { pool, tls: { ca: devCert.cert } }), 'hi', 'localhost is a name of the certificate');
  const other = createDevCert();
  await t.rejects(connect(`wss://127.0.0.1:${port}/`, { pool, tls: { ca: other.cert }, handshakeTimeout: 5000 }), 'another CA: refused');
  const named = createDevCert({ names: ['example.test'] });
  const second = await echoServer(t, named);
  await t.rejects(connect(`wss://127.0.0.1:${second.port}/`, { pool, tls: { ca: named.cert }, handshakeTimeout: 5000 }), 'a certificate for another name: refused');
  await t.rejects(connect(`wss://127.0.0.1:${port}/`, { pool, handshakeTimeout: 5000 }), 'no CA given: the system roots do not know it');
});

t.test('the client pins a certificate hash instead', async (t) => {
  const { port, pool } = await echoServer(t, devCert);
  t.equal(await roundTrip(`wss://127.0.0.1:${port}/`, { pool, tls: { pin: devCert.spkiSha256 } }), 'hi', 'SPKI sha256, base64');
  t.equal(await roundTrip(`wss://127.0.0.1:${port}/`, { pool, tls: { pin: devCert.fingerprint256.toUpperCase().match(/../g)!.join(':') } }), 'hi', 'certificate sha256, hex with colons');
  await t.rejects(connect(`wss://127.0.0.1:${port}/`, { pool, tls: { pin: createDevCert().spkiSha256 }, handshakeTimeout: 5000 }), { name: 'DialError', code: 'CERT_UNTRUSTED', message: /is not trusted: the certificate matches no pin$/ }, 'another pin: refused');
});
