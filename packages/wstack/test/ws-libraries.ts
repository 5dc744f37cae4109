/**
 * Libraries written for the ws package, unchanged, on wstack/ws: socket.io
 * (its engine's wsEngine, met by socket.io-client) and graphql-ws (useServer
 * on a WebSocketServer of wstack's createServer, its client given wstack's
 * WHATWG WebSocket forced onto HTTP/1.1, HTTP/2 and HTTP/3).
 */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { Server as SocketIoServer } from 'socket.io';
import { io as socketIoClient } from 'socket.io-client';
import { buildSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, WebSocket as WhatwgWebSocket } from '../src/index.js';
import { WebSocketServer } from '../src/ws/index.js';

t.test('socket.io with wsEngine: wstack/ws, met by socket.io-client', async (t) => {
  const http = createHttpServer();
  const io = new SocketIoServer(http, { wsEngine: WebSocketServer });
  io.on('connection', (socket) => {
    socket.on('greet', (name: string, ack: (answer: string) => void) => ack(`hello ${name} over ${socket.conn.transport.name}`));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  t.teardown(() => io.close());
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  for (const transports of [['websocket'], ['polling', 'websocket']]) {
    const client = socketIoClient(url, { transports, forceNew: true });
    await once(client, 'connect');
    if (transports.length === 2 && client.io.engine.transport.name !== 'websocket') await once(client.io.engine, 'upgrade');
    const answer = await client.timeout(5000).emitWithAck('greet', 'socket.io');
    t.equal(answer, 'hello socket.io over websocket', `transports ${transports.join(', ')}: upgraded, and an acknowledged event`);
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => client.timeout(5000).emitWithAck('greet', String(i))));
    t.equal(many.length, 20, 'twenty more in flight at once');
    client.disconnect();
  }
});

const schema = buildSchema(`
  type Query { hello: String }
  type Subscription { count(to: Int!): Int }
`);
const roots = {
  hello: () => 'world',
  async *count({ to }: { to: number }) {
    for (let i = 1; i <= to; i++) yield { count: i };
  },
};

t.test('graphql-ws: useServer on createServer, its client on the WHATWG WebSocket over every transport', async (t) => {
  const server = await createServer({ devCert: true });
  t.teardown(() => server.close());
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const disposable = useServer({ schema, roots: { query: roots, subscription: roots } }, wss);
  t.teardown(() => disposable.dispose());
  const url = `wss://127.0.0.1:${server.address.port}/graphql`;
  t.equal(server.transports.length, 3, 'HTTP/1.1, HTTP/2 and HTTP/3 are served');
  for (const transport of ['h1', 'h2', 'h3'] as const) {
    const Forced = class extends WhatwgWebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { transport, tls: { ca: server.devCert!.cert } });
      }
    };
    const client = createClient({ url, webSocketImpl: Forced, retryAttempts: 0, lazy: false });
    const query = await new Promise((resolve, reject) => {
      let result: unknown;
      client.subscribe({ query: '{ hello }' }, { next: (value) => (result = value), error: reject, complete: () => resolve(result) });
    });
    t.same(query, { data: { hello: 'world' } }, `${transport}: a query`);
    const counts: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      client.subscribe({ query: 'subscription { count(to: 5) }' }, { next: (value) => counts.push(value), error: reject, complete: resolve });
    });
    t.same(counts, [1, 2, 3, 4, 5].map((count) => ({ data: { count } })), `${transport}: a subscription of five events`);
    await client.dispose();
  }
});
