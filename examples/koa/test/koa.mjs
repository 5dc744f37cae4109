import t from 'tap';
import { connect } from 'wstack';
import { nextMessage } from '@wstack/testkit';
import { startApp } from '../server.mjs';

t.test('Koa serves its middleware and wstack the WebSockets, on one server', async (t) => {
  const app = await startApp({ port: 0 });
  t.teardown(() => app.close());
  const page = await fetch(`http://127.0.0.1:${app.port}/`);
  t.equal(await page.text(), 'Koa here; WebSockets on /ws');
  const connection = await connect(`ws://127.0.0.1:${app.port}/ws`, { transport: 'h1' });
  connection.send('hi');
  t.equal((await nextMessage(connection)).data.toString(), 'koa echo: hi');
  connection.close();
});
