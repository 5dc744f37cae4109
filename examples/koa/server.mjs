// WebSockets on the node:http server of a Koa application: Koa keeps its middleware, wstack takes the upgrades.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { Http1Server } from 'wstack';

export async function startApp({ port = 8080, host = '127.0.0.1' } = {}) {
  const app = new Koa();
  app.use((context) => {
    if (context.path === '/') context.body = 'Koa here; WebSockets on /ws';
  });
  const httpServer = createServer(app.callback());
  const websockets = new Http1Server({
    routes: {
      '/ws': (connection) => connection.on('message', (data) => connection.send(`koa echo: ${data}`)),
    },
  }).attach(httpServer);
  await new Promise((resolve) => httpServer.listen(port, host, resolve));
  return {
    port: httpServer.address().port,
    async close() {
      await websockets.close();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await startApp({ port: Number(process.env.PORT ?? 8080) });
  console.log(`Koa on http://127.0.0.1:${app.port}/, WebSockets on ws://127.0.0.1:${app.port}/ws`);
  const stop = () => app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
