/** Alt-Svc (RFC 7838 §3): the HTTP/3 alternative of an origin. */
import t from 'tap';
import { http3Alternative } from '../src/alt-svc.js';

t.test('the h3 alternative on the same host, with its lifetime', async (t) => {
  t.same(http3Alternative('h3=":443"', 'example.com'), { port: 443, maxAge: 86400 });
  t.same(http3Alternative('h3=":8443"; ma=60', 'example.com'), { port: 8443, maxAge: 60 });
  t.same(http3Alternative('h3=":8443";ma="3600"; persist=1', 'example.com'), { port: 8443, maxAge: 3600 });
  t.same(http3Alternative('h2=":443", h3-29=":443", h3="example.com:4433"', 'EXAMPLE.com'), { port: 4433, maxAge: 86400 }, 'skips other protocols; the host compares without case');
  t.same(http3Alternative('h3="[::1]:4433"', '[::1]'), { port: 4433, maxAge: 86400 });
  t.equal(http3Alternative(' clear ', 'example.com'), 'clear');
});

t.test('what does not name an h3 alternative here is nothing', async (t) => {
  for (const field of ['', 'h2=":443"', 'h3=":0"', 'h3=":70000"', 'h3=":x"', 'h3=443', 'h3="other.example:443"', 'h3="a,b:443"', 'h3="no-port"']) {
    t.equal(http3Alternative(field, 'example.com'), undefined, JSON.stringify(field));
  }
  t.same(http3Alternative('h3="a\\"b:1", h3=":2"', 'example.com'), { port: 2, maxAge: 86400 }, 'an escaped quote stays inside its string');
});
