import { readFileSync } from 'node:fs';
import t from 'tap';
import { connect } from 'wstack';
import { SessionPool } from '@wstack/http3';
import { hasChromium, launchChromium, nextMessage, requirePeer } from '@wstack/testkit';
import { startApp } from '../server.mjs';
import { clientsFor, TRANSPORTS } from './clients.mjs';

const VERSION = { 'http/1.1': '1.1', h2: '2.0', h3: '3.0' };
// connect's names for the same three transports.
const CONNECT_AS = { 'http/1.1': 'h1', h2: 'h2', h3: 'h3' };
const STYLE = readFileSync(new URL('../public/style.css', import.meta.url), 'utf8');

t.test('the same Express app and its WebSockets over HTTP/1.1, HTTP/2 and HTTP/3', async (t) => {
  const server = await startApp({ port: 0 });
  const clients = clientsFor(server.address.port);
  const http3Pool = new SessionPool();
  t.teardown(async () => {
    clients.close();
    http3Pool.close();
    await server.close();
  });
  t.same(server.transports, TRANSPORTS, 'createServer serves all three');
  for (const transport of TRANSPORTS) {
    const info = await clients.send(transport, { path: '/api/info' });
    t.equal(info.status, 200, `${transport}: GET /api/info`);
    t.same(JSON.parse(info.body.toString()), { httpVersion: VERSION[transport], protocol: 'https' }, `${transport}: Express sees HTTP/${VERSION[transport]}`);
    if (transport !== 'h3') t.match(info.headers['alt-svc'], /^h3=":\d+"/, `${transport}: Alt-Svc points to HTTP/3`);

    const sent = JSON.stringify({ greeting: 'hello', over: transport, list: [1, 2, 3] });
    const echo = await clients.send(transport, { method: 'POST', path: '/api/echo', headers: { 'content-type': 'application/json' }, body: Buffer.from(sent) });
    t.equal(echo.status, 200, `${transport}: POST /api/echo`);
    t.same(JSON.parse(echo.body.toString()), { body: JSON.parse(sent), size: Buffer.byteLength(sent) }, `${transport}: the JSON body back, with its size`);

    const page = await clients.send(transport, { path: '/' });
    t.equal(page.status, 200, `${transport}: GET /`);
    t.match(page.body.toString(), /<script type="module" src="\/page.js">/, `${transport}: public/index.html`);
    const style = await clients.send(transport, { path: '/style.css' });
    t.same([style.status, style.body.toString()], [200, STYLE], `${transport}: a static file`);
    t.match(style.headers['content-type'], /^text\/css/, `${transport}: its type`);

    const connection = await connect(`${server.url}ws`, { transport: CONNECT_AS[transport], tls: { rejectUnauthorized: false }, http3Pool });
    connection.send('hi');
    t.equal((await nextMessage(connection)).data.toString(), `express echo: hi over ${transport}`, `${transport}: a WebSocket echo`);
    connection.close();
  }
});

t.test('three Chromium pages, over HTTP/1.1, HTTP/2 and HTTP/3, each with its WebSocket on the same transport', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  const server = await startApp({ port: 0 });
  const transports = [];
  server.on('connection', (connection) => transports.push(connection.transport));
  t.teardown(() => server.close());
  const trust = `--ignore-certificate-errors-spki-list=${server.devCert.spkiSha256}`;
  // --disable-http2 keeps one browser on HTTP/1.1; the third is sent to our origin over QUIC,
  // where its WebSocket follows the page (RFC 9220, behind a Chromium feature flag).
  const http3 = ['--enable-features=EnableWebsocketsOverHttp3', `--origin-to-force-quic-on=127.0.0.1:${server.address.port}`];
  const browsers = [await launchChromium([trust, '--disable-http2']), await launchChromium([trust]), await launchChromium([trust, ...http3])];
  t.teardown(() => Promise.all(browsers.map((browser) => browser.close())));
  const base = server.url.replace('wss:', 'https:');
  for (const [index, browser] of browsers.entries()) {
    const transport = TRANSPORTS[index];
    const page = await browser.newPage();
    await page.goto(base);
    await page.waitForFunction(() => window.example?.socket.readyState === 1);
    t.equal(await page.evaluate(() => window.example.protocol), transport, `${transport}: the page came over ${transport}`);
    t.equal(transports.at(-1), transport, `${transport}: its WebSocket too`);
    const info = await page.evaluate(() => fetch('/api/info').then((response) => response.json()));
    t.same(info, { httpVersion: VERSION[transport], protocol: 'https' }, `${transport}: the page's fetch reaches Express over HTTP/${VERSION[transport]}`);
    const echo = await page.evaluate(() => fetch('/api/echo', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"the page"}' }).then((response) => response.json()));
    t.same(echo, { body: { from: 'the page' }, size: 19 }, `${transport}: the page's POST`);
    await page.evaluate(() => window.example.socket.send('from the page'));
    await page.waitForFunction(() => window.example.received.length > 0, undefined, { timeout: 10_000 });
    t.same(await page.evaluate(() => window.example.received), [`express echo: from the page over ${transport}`], `${transport}: the echo`);
  }
  t.same(transports, TRANSPORTS, 'one WebSocket on each transport');
});
