import t from 'tap';
import { get } from 'node:https';
import { connect } from 'wstack';
import { nextMessage } from '@wstack/testkit';
import { startApp } from '../server.mjs';

// fetch takes no CA of its own; node:https does.
function getText(url, ca) {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

t.test('node:http and node:https serve requests and wstack the WebSockets', async (t) => {
  const app = await startApp({ port: 0, tlsPort: 0 });
  t.teardown(() => app.close());

  const page = await fetch(`http://127.0.0.1:${app.port}/`);
  t.equal(await page.text(), 'node:http here; WebSockets on /ws');
  const plain = await connect(`ws://127.0.0.1:${app.port}/ws`, { transport: 'h1' });
  plain.send('hi');
  t.equal((await nextMessage(plain)).data.toString(), 'node:http echo: hi');
  plain.close();

  t.equal(await getText(`https://127.0.0.1:${app.tlsPort}/`, app.cert), 'node:https here; WebSockets on /ws');
  const secure = await connect(`wss://127.0.0.1:${app.tlsPort}/ws`, { transport: 'h1', tls: { ca: app.cert } });
  secure.send('hi');
  t.equal((await nextMessage(secure)).data.toString(), 'node:http echo: hi');
  secure.close();
});
