/**
 * A real HTTP/3 peer: headless Chromium, forced onto QUIC for our origin,
 * loads a page from our server over HTTP/3 and opens its WebSocket on the
 * same QUIC connection with extended CONNECT (RFC 9220), which Chromium
 * does behind the EnableWebsocketsOverHttp3 feature once the page itself
 * came over HTTP/3. In CI (CI=true) a missing Chromium fails the test.
 */
import t from 'tap';
import { browserEcho, hasChromium, launchChromium, requirePeer } from '@wstack/testkit';
import { spkiSha256, WebSocketServer } from '../src/index.js';
import { devCert } from './h3-transport.js';

const PAGE = '<!doctype html><title>wstack over HTTP/3</title>';

t.test('headless Chromium: the page over HTTP/3, its WebSocket as an extended CONNECT over HTTP/3', async (t) => {
  if (!requirePeer(t, 'chromium', hasChromium(), 'apt-get install chromium')) return;
  const transports: string[] = [];
  const pages: string[] = [];
  const server = new WebSocketServer({
    protocols: ['chat'],
    handler: (connection) => {
      transports.push(connection.transport);
      connection.on('message', (data, binary) => {
        if (data.toString() === 'close please') connection.close(4000, 'as asked');
        else connection.send(data, { binary });
      });
    },
  });
  const { port } = await server.listen({
    tls: { cert: devCert.cert, key: devCert.key },
    request: (request, response) => {
      pages.push(`${request.method} ${request.url}`);
      if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(PAGE);
      } else {
        response.writeHead(404);
        response.end('not here');
      }
    },
  });
  t.teardown(() => server.close());
  const browser = await launchChromium([
    '--enable-features=EnableWebsocketsOverHttp3',
    `--origin-to-force-quic-on=127.0.0.1:${port}`,
    `--ignore-certificate-errors-spki-list=${spkiSha256(devCert.cert)}`,
  ]);
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const response = await page.goto(`https://127.0.0.1:${port}/`);
  t.equal(response?.status(), 200);
  t.equal(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).nextHopProtocol), 'h3', 'the page came over HTTP/3');
  t.ok(pages.includes('GET /'), 'our HTTP/3 server served the page');
  const result = await browserEcho(page, { url: `wss://127.0.0.1:${port}/chat`, text: 'hello over h3', closeBy: 'client' });
  t.same(result, ['open chat ', 'hello over h3', 'binary 1048576 true', 'close 1000  true'], 'text and 1 MiB echoed; a clean close with 1000');
  t.same(transports, ['h3'], 'the server got the WebSocket over HTTP/3');
});
