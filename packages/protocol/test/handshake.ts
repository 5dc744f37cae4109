import t from 'tap';
import { acceptKey, checkVersion, generateKey, isValidKey, SUPPORTED_VERSIONS_HEADER } from '../src/handshake.js';

t.test('the accept value of RFC 6455 §1.3', async (t) => {
  t.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

t.test('generated keys are 16 random bytes in base64', async (t) => {
  const keys = new Set(Array.from({ length: 100 }, generateKey));
  t.equal(keys.size, 100);
  for (const key of keys) {
    t.ok(isValidKey(key));
    t.equal(Buffer.from(key, 'base64').length, 16);
  }
});

t.test('key validation', async (t) => {
  for (const key of ['dGhlIHNhbXBsZSBub25jZQ==', 'AAAAAAAAAAAAAAAAAAAAAA==', '+/+/+/+/+/+/+/+/+/+/+w==']) t.ok(isValidKey(key), key);
  const invalid = [undefined, '', 'dGhlIHNhbXBsZSBub25jZQ=', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ===', 'dGhlIHNhbXBsZSBub25j*Q==', 'AAAAAAAAAAAAAAAAAAAAAAAA', ' dGhlIHNhbXBsZSBub25jZQ=='];
  for (const key of invalid) t.notOk(isValidKey(key), String(key));
});

t.test('versions 13 and 8 are accepted; anything else is 426', async (t) => {
  t.equal(checkVersion('13'), 13);
  t.equal(checkVersion(' 8 '), 8);
  for (const value of [undefined, '', '12', '7', '14', '13, 8', '0x0d', '013a', '1300']) {
    t.throws(() => checkVersion(value), { name: 'HandshakeError', code: 'UNSUPPORTED_VERSION', status: 426 }, String(value));
  }
  t.equal(SUPPORTED_VERSIONS_HEADER, '13, 8');
});
