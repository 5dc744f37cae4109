import t from 'tap';
import { SHARED_FIELD_VALUES_MAX, sharedFields, sharedFieldValue, sharedFieldValueCount, singleFieldValue } from '../src/shared-field-values.js';

t.test('a common value is kept once, whatever the field', async (t) => {
  const before = sharedFieldValueCount();
  t.equal(sharedFieldValue('upgrade', 'websocket'), 'websocket');
  t.equal(sharedFieldValue('upgrade', 'websocket'), 'websocket');
  t.equal(sharedFieldValue('x-kind', 'websocket'), 'websocket');
  t.equal(sharedFieldValueCount(), before + 1);
});

t.test('values unique to a request, and long ones, are not kept', async (t) => {
  const before = sharedFieldValueCount();
  t.equal(sharedFieldValue('sec-websocket-key', 'dGhlIHNhbXBsZSBub25jZQ=='), 'dGhlIHNhbXBsZSBub25jZQ==');
  t.equal(sharedFieldValue('cookie', 'session=1'), 'session=1');
  t.equal(sharedFieldValue('authorization', 'Bearer x'), 'Bearer x');
  const long = 'a'.repeat(513);
  t.equal(sharedFieldValue('user-agent', long), long);
  t.equal(sharedFieldValueCount(), before);
});

t.test('the table starts over when full, so that it stays bounded', async (t) => {
  for (let i = 0; sharedFieldValueCount() < SHARED_FIELD_VALUES_MAX; i++) sharedFieldValue('host', `h${i}.example`);
  t.equal(sharedFieldValueCount(), SHARED_FIELD_VALUES_MAX);
  t.equal(sharedFieldValue('host', 'one.more.example'), 'one.more.example');
  t.equal(sharedFieldValueCount(), 1, 'cleared, then the new value');
});

t.test('a repeated field is one value, joined with ", " (RFC 9110 §5.3)', async (t) => {
  t.equal(singleFieldValue(['a', 'b']), 'a, b');
  t.equal(singleFieldValue('a'), 'a');
  t.equal(singleFieldValue(undefined), undefined);
});

t.test('the fields a connection keeps: one string each, absent ones and refused names left out', async (t) => {
  const headers = { host: 'example.com', 'x-list': ['1', '2'], 'x-absent': undefined, ':path': '/' };
  t.same(sharedFields(headers), { host: 'example.com', 'x-list': '1, 2', ':path': '/' });
  t.same(sharedFields(headers, (name) => !name.startsWith(':')), { host: 'example.com', 'x-list': '1, 2' });
});
