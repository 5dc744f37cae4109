import t from 'tap';
import { hasChromium, launchChromium, requirePeer } from '@wstack/testkit';
import { startChat } from '../server.mjs';

t.test('two Chromium pages, one over HTTP/1.1 and one over HTTP/2, chat in one room', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  const server = await startChat({ port: 0 });
  const transports = [];
  server.on('connection', (connection) => transports.push(connection.transport));
  t.teardown(() => server.close());
  const trust = `--ignore-certificate-errors-spki-list=${server.devCert.spkiSha256}`;
  // --disable-http2 keeps one browser on HTTP/1.1 for the page and its WebSocket alike.
  const browsers = [await launchChromium([trust, '--disable-http2']), await launchChromium([trust])];
  t.teardown(() => Promise.all(browsers.map((browser) => browser.close())));
  const base = server.url.replace('wss:', 'https:');
  const pages = [];
  for (const [index, browser] of browsers.entries()) {
    const page = await browser.newPage();
    await page.goto(`${base}?room=test&name=${index === 0 ? 'alice' : 'bob'}`);
    await page.waitForFunction(() => window.chat.socket.readyState === 1);
    pages.push(page);
  }
  t.same(transports, ['http/1.1', 'h2'], 'one page on each transport');
  const heard = (page, text) => page.waitForFunction((text) => window.chat.received.some((message) => message.text === text), text, { timeout: 10_000 });
  await pages[0].evaluate(() => window.chat.socket.send('hello from HTTP/1.1'));
  await pages[1].evaluate(() => window.chat.socket.send('hello from HTTP/2'));
  for (const page of pages) {
    await heard(page, 'hello from HTTP/1.1');
    await heard(page, 'hello from HTTP/2');
  }
  const bobSaw = await pages[1].evaluate(() => window.chat.received.map((message) => `${message.from}: ${message.text}`));
  t.ok(bobSaw.includes('alice: hello from HTTP/1.1'), 'bob (HTTP/2) heard alice (HTTP/1.1)');
  const aliceSaw = await pages[0].evaluate(() => window.chat.received.map((message) => `${message.from}: ${message.text}`));
  t.ok(aliceSaw.includes('bob: hello from HTTP/2'), 'alice (HTTP/1.1) heard bob (HTTP/2)');
  t.ok(aliceSaw.includes('server: bob joined over h2'));
});
