import t from 'tap';
import { connect as connectHttp2 } from 'node:http2';
import { get } from 'node:https';
import { connect } from 'wstack';
import { nextMessage } from '@wstack/testkit';
import { startApp } from '../server.mjs';

function getOverHttp2(url, ca) {
  return new Promise((resolve, reject) => {
    const session = connectHttp2(url, { ca });
    session.on('error', reject);
    const stream = session.request({ ':path': new URL(url).pathname });
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => (text += chunk));
    stream.on('end', () => {
      session.close();
      resolve(text);
    });
    stream.on('error', reject);
  });
}

// fetch takes no CA of its own; node:https does (and speaks HTTP/1.1).
function getOverHttp1(url, ca) {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

t.test('node:http2 serves requests and wstack the WebSockets, over HTTP/2 and HTTP/1.1 on one port', async (t) => {
  const app = await startApp({ port: 0 });
  t.teardown(() => app.close());
  const url = `https://127.0.0.1:${app.port}/`;
  t.equal(await getOverHttp2(url, app.cert), 'node:http2 here over HTTP/2.0; WebSockets on /ws');
  t.equal(await getOverHttp1(url, app.cert), 'node:http2 here over HTTP/1.1; WebSockets on /ws');
  for (const transport of ['h2', 'h1']) {
    const connection = await connect(`wss://127.0.0.1:${app.port}/ws`, { transport, tls: { ca: app.cert } });
    connection.send('hi');
    t.equal((await nextMessage(connection)).data.toString(), `node:http2 echo over ${connection.transport}: hi`);
    t.equal(connection.transport, { h1: 'http/1.1', h2: 'h2' }[transport]);
    connection.close();
  }
});
