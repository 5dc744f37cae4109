// WebSockets on a Fastify application's own server: Fastify keeps its routes, wstack takes the upgrades.
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { Http1Server } from 'wstack';

export async function startApp({ port = 8080, host = '127.0.0.1' } = {}) {
  const app = Fastify();
  app.get('/', async () => 'Fastify here; WebSockets on /ws');
  const websockets = new Http1Server({
    routes: {
      '/ws': (connection) => connection.on('message', (data) => connection.send(`fastify echo: ${data}`)),
    },
  }).attach(app.server);
  await app.listen({ port, host });
  return {
    port: app.server.address().port,
    async close() {
      await websockets.close();
      await app.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const app = await startApp({ port: Number(process.env.PORT ?? 8080) });
  console.log(`Fastify on http://127.0.0.1:${app.port}/, WebSockets on ws://127.0.0.1:${app.port}/ws`);
  const stop = () => app.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
