import t from 'tap';
import { createHash, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createDevCert, spkiSha256 } from '../src/index.js';

t.test('a certificate for localhost and the loopback addresses, signed by its own key', async (t) => {
  const dev = createDevCert();
  const x509 = new X509Certificate(dev.cert);
  t.equal(x509.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  t.ok(x509.verify(createPublicKey(dev.key)), 'self-signed');
  t.ok(x509.checkPrivateKey(createPublicKey(dev.key) && (await import('node:crypto')).createPrivateKey(dev.key)));
  const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
  t.ok(days > 13.9 && days <= 14, `valid for ${days.toFixed(2)} days`);
  t.ok(Date.parse(x509.validFrom) < Date.now(), 'already valid');
  t.equal(x509.fingerprint256.replace(/:/g, '').toLowerCase(), dev.fingerprint256);
  const spki = createPublicKey(dev.key).export({ format: 'der', type: 'spki' });
  t.equal(dev.spkiSha256, createHash('sha256').update(spki).digest('base64'));
  t.equal(x509.ca, false);
  t.match(x509.serialNumber, /^[4-7][0-9A-F]{31}$/, 'a positive 128-bit serial number in minimal DER');
});

t.test('other names, a given key, a validity past 2049', async (t) => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const names = ['example.test', '10.1.2.3', 'fe80::1:2', '::', ...Array.from({ length: 20 }, (_, i) => `host-${i}.example.test`)];
  const fromKeyObject = createDevCert({ names, key: privateKey, days: 9000 });
  const x509 = new X509Certificate(fromKeyObject.cert);
  t.match(x509.subjectAltName, /^DNS:example\.test, IP Address:10\.1\.2\.3, IP Address:FE80:0:0:0:0:0:1:2, IP Address:0:0:0:0:0:0:0:0, DNS:host-0/);
  t.ok(new Date(x509.validTo).getUTCFullYear() > 2049, 'GeneralizedTime after 2049');
  const pemKey = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const fromPem = createDevCert({ key: pemKey });
  t.equal(fromPem.spkiSha256, fromKeyObject.spkiSha256, 'the same key, the same SPKI hash');
});

t.test('a long name takes a two-byte DER length', async (t) => {
  const name = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(20)}.test`;
  t.equal(new X509Certificate(createDevCert({ names: [name] }).cert).subjectAltName, `DNS:${name}`);
});

t.test('spkiSha256 of a certificate is the hash createDevCert reports, from PEM text, bytes or an X509Certificate', async (t) => {
  const cert = createDevCert();
  t.equal(spkiSha256(cert.cert), cert.spkiSha256);
  t.equal(spkiSha256(Buffer.from(cert.cert)), cert.spkiSha256);
  t.equal(spkiSha256(new X509Certificate(cert.cert)), cert.spkiSha256);
  t.not(spkiSha256(createDevCert().cert), cert.spkiSha256, 'another key, another hash');
});
