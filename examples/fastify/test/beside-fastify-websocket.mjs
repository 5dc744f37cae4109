import t from 'tap';
import Fastify from 'fastify';
import fastifyWebsocket from '@fastify/websocket';
import { connect, HandshakeError, Http1Server } from 'wstack';
import { nextMessage } from '@wstack/testkit';

// @fastify/websocket routes every upgrade through Fastify, which answers 404 for a path without a route: wstack's
// attach() takes its own paths before that listener sees them, and leaves every other upgrade to it.
for (const order of ['wstack attached first', '@fastify/websocket registered first']) {
  t.test(`wstack on /a and @fastify/websocket on /b, one Fastify server, HTTP/1.1 (${order}); a path neither serves gets 404`, async (t) => {
    const app = Fastify();
    const attach = () =>
      new Http1Server({
        routes: { '/a': (connection) => connection.on('message', (data) => connection.send(`wstack: ${data}`)) },
      }).attach(app.server);
    const websockets = order === 'wstack attached first' ? attach() : undefined;
    await app.register(fastifyWebsocket);
    app.get('/b', { websocket: true }, (socket) => socket.on('message', (data) => socket.send(`@fastify/websocket: ${data}`)));
    app.get('/', async () => 'page');
    const wstack = websockets ?? attach();
    await app.listen({ port: 0, host: '127.0.0.1' });
    t.teardown(async () => {
      await wstack.close();
      await app.close();
    });
    const base = `ws://127.0.0.1:${app.server.address().port}`;
    const a = await connect(`${base}/a`, { transport: 'h1' });
    a.send('hi');
    t.equal((await nextMessage(a)).data.toString(), 'wstack: hi');
    const b = await connect(`${base}/b`, { transport: 'h1' });
    b.send('hi');
    t.equal((await nextMessage(b)).data.toString(), '@fastify/websocket: hi');
    a.send('still here');
    t.equal((await nextMessage(a)).data.toString(), 'wstack: still here', "wstack's WebSocket was not touched by Fastify's routing");
    const refused = await connect(`${base}/c`, { transport: 'h1' }).catch((error) => error);
    t.ok(refused instanceof HandshakeError);
    t.equal(refused.status, 404);
    t.equal(await (await fetch(`http://127.0.0.1:${app.server.address().port}/`)).text(), 'page', 'ordinary requests still reach Fastify');
    a.close();
    b.close();
  });
}
