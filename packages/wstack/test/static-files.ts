/** staticFiles: GET and HEAD of the files in one folder, over HTTP/1.1, HTTP/2 and HTTP/3, and nothing outside it. */
import t, { type Test } from 'tap';
import { request as httpRequest } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { join } from 'node:path';
import { createServer } from '../src/index.js';
import { staticFiles } from '../src/static-files.js';
import { request as http3Request, SessionPool } from '@wstack/http3';

/** The served folder, with a file beside it that must stay out of reach. */
function site(t: Test) {
  const root = t.testdir({ public: { 'index.html': '<h1>home</h1>', 'app.js': 'export {}', sub: { 'data.bin': 'raw' } }, 'secret.txt': 'not for you' });
  return join(root, 'public');
}

function overHttp1(port: number, method: string, path: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject).end();
  });
}

t.test('files, types, HEAD, 404 and 405, and no way out of the folder, over HTTP/1.1', async (t) => {
  const server = await createServer({ http2: false, request: staticFiles(site(t)) });
  t.teardown(() => server.close());
  const { port } = server.address;
  t.match(await overHttp1(port, 'GET', '/'), { status: 200, body: '<h1>home</h1>', headers: { 'content-type': 'text/html; charset=utf-8', 'content-length': '13' } });
  t.match(await overHttp1(port, 'GET', '/app.js'), { status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
  t.match(await overHttp1(port, 'GET', '/sub/data.bin'), { status: 200, body: 'raw', headers: { 'content-type': 'application/octet-stream' } });
  t.match(await overHttp1(port, 'HEAD', '/app.js'), { status: 200, body: '', headers: { 'content-length': '9' } });
  t.match(await overHttp1(port, 'POST', '/'), { status: 405, headers: { allow: 'GET, HEAD' } });
  for (const path of ['/nothing', '/sub', '/sub/', '/../secret.txt', '/%2e%2e/secret.txt', '/sub/%2e%2e%2f%2e%2e%2fsecret.txt', '/%00', '/%E0%A4%A']) {
    t.equal((await overHttp1(port, 'GET', path)).status, 404, path);
  }
});

t.test('the same over HTTP/2, beside WebSockets', async (t) => {
  const server = await createServer({ request: staticFiles(site(t)) });
  t.teardown(() => server.close());
  const session = connectHttp2(`http://127.0.0.1:${server.address.port}`);
  t.teardown(() => session.close());
  const stream = session.request({ ':path': '/sub/data.bin' });
  const [headers, body] = await Promise.all([
    new Promise<Record<string, unknown>>((resolve) => stream.once('response', resolve)),
    new Promise<string>((resolve) => {
      let text = '';
      stream.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
    }),
  ]);
  t.same([headers[':status'], body], [200, 'raw']);
});

t.test('the same over HTTP/3, from the UDP side of the same port', async (t) => {
  const server = await createServer({ devCert: true, http3: true, request: staticFiles(site(t)) });
  const pool = new SessionPool({ idleTimeout: Infinity });
  t.teardown(async () => {
    pool.close();
    await server.close();
  });
  const origin = `https://127.0.0.1:${server.address.port}`;
  const options = { tls: { pin: server.devCert!.spkiSha256 }, pool };
  const file = await http3Request(`${origin}/sub/data.bin`, options);
  t.same([file.status, file.body.toString(), file.headers['content-type']], [200, 'raw', 'application/octet-stream']);
  const head = await http3Request(`${origin}/app.js`, { ...options, method: 'HEAD' });
  t.same([head.status, head.body.length, head.headers['content-length']], [200, 0, '9']);
  t.equal((await http3Request(`${origin}/../secret.txt`, options)).status, 404);
});

t.test('a folder that is not there is refused at once', async (t) => {
  t.throws(() => staticFiles('/no/such/folder'), /not a folder/);
  const root = t.testdir({ file: 'x' });
  t.throws(() => staticFiles(join(root, 'file')), /not a folder/);
});
