import t from 'tap';
import { hasChromium, launchChromium, requirePeer } from '@wstack/testkit';
import { startChat } from '../server.mjs';

t.test('three Chromium pages, over HTTP/1.1, HTTP/2 and HTTP/3, chat in one room', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  const server = await startChat({ port: 0 });
  const transports = [];
  server.on('connection', (connection) => transports.push(connection.transport));
  t.teardown(() => server.close());
  const trust = `--ignore-certificate-errors-spki-list=${server.devCert.spkiSha256}`;
  // --disable-http2 keeps one browser on HTTP/1.1 for the page and its WebSocket alike; the third is sent
  // to our origin over QUIC, where its WebSocket follows the page (RFC 9220, behind a Chromium feature flag).
  const http3 = ['--enable-features=EnableWebsocketsOverHttp3', `--origin-to-force-quic-on=127.0.0.1:${server.address.port}`];
  const browsers = [await launchChromium([trust, '--disable-http2']), await launchChromium([trust]), await launchChromium([trust, ...http3])];
  t.teardown(() => Promise.all(browsers.map((browser) => browser.close())));
  const base = server.url.replace('wss:', 'https:');
  const pages = [];
  for (const [index, browser] of browsers.entries()) {
    const page = await browser.newPage();
    await page.goto(`${base}?room=test&name=${['alice', 'bob', 'carol'][index]}`);
    await page.waitForFunction(() => window.chat.socket.readyState === 1);
    pages.push(page);
  }
  t.same(transports, ['http/1.1', 'h2', 'h3'], 'one page on each transport');
  const heard = (page, text) => page.waitForFunction((text) => window.chat.received.some((message) => message.text === text), text, { timeout: 10_000 });
  await pages[0].evaluate(() => window.chat.socket.send('hello from HTTP/1.1'));
  await pages[1].evaluate(() => window.chat.socket.send('hello from HTTP/2'));
  await pages[2].evaluate(() => window.chat.socket.send('hello from HTTP/3'));
  for (const page of pages) {
    await heard(page, 'hello from HTTP/1.1');
    await heard(page, 'hello from HTTP/2');
    await heard(page, 'hello from HTTP/3');
  }
  const bobSaw = await pages[1].evaluate(() => window.chat.received.map((message) => `${message.from}: ${message.text}`));
  t.ok(bobSaw.includes('alice: hello from HTTP/1.1'), 'bob (HTTP/2) heard alice (HTTP/1.1)');
  const aliceSaw = await pages[0].evaluate(() => window.chat.received.map((message) => `${message.from}: ${message.text}`));
  t.ok(aliceSaw.includes('bob: hello from HTTP/2'), 'alice (HTTP/1.1) heard bob (HTTP/2)');
  t.ok(aliceSaw.includes('server: bob joined over h2'));
  t.ok(aliceSaw.includes('carol: hello from HTTP/3'), 'alice (HTTP/1.1) heard carol (HTTP/3)');
  t.ok(aliceSaw.includes('server: carol joined over h3'));
  const carolSaw = await pages[2].evaluate(() => window.chat.received.map((message) => `${message.from}: ${message.text}`));
  t.ok(carolSaw.includes('bob: hello from HTTP/2'), 'carol (HTTP/3) heard bob (HTTP/2)');
});
