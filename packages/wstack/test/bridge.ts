/** The bridge: HTTP/1.1 in, another transport out, message for message, closes handed on. */
import t, { type Test } from 'tap';
import type { CloseDetails } from '@wstack/core';
import { connect as connectHttp1 } from '@wstack/http1';
import { closed, nextMessage, pattern } from '@wstack/testkit';
import { bridgeTo } from '../src/bridge.js';
import { createServer } from '../src/index.js';

async function setup(t: Test) {
  const targetCloses: CloseDetails[] = [];
  const targetTransports: string[] = [];
  const target = await createServer({
    http1: false,
    protocols: ['chat'],
    routes: {
      '/echo': (connection, request) => {
        targetTransports.push(`${connection.transport} ${request.path}`);
        connection.on('close', (details) => targetCloses.push(details));
        connection.on('message', (data, binary) => {
          if (data.toString() === 'close please') connection.close(4000, 'as asked');
          else connection.send(data, { binary });
        });
      },
    },
  });
  const relayTo = bridgeTo({ url: new URL(target.url), client: { transport: 'h2' } });
  const bridge = await createServer({ http2: false, ...relayTo.options });
  bridge.on('rejection', (_rejection, request) => relayTo.refused(request));
  t.teardown(async () => {
    await bridge.close();
    await target.close();
  });
  return { target, bridge, targetCloses, targetTransports };
}

t.test('messages cross in order with their types; the target chose the subprotocol', async (t) => {
  const { bridge, targetTransports } = await setup(t);
  const client = await connectHttp1(`${bridge.url}echo?room=1`, { protocols: ['x', 'chat'] });
  t.equal(client.protocol, 'chat');
  t.same(targetTransports, ['h2 /echo?room=1'], 'the target got the path and query over HTTP/2');
  const big = pattern(1024 * 1024);
  client.send(big);
  const echoed = await nextMessage(client);
  t.ok(echoed.binary && echoed.data.equals(big), '1 MiB binary');
  const received: string[] = [];
  const all = new Promise<void>((resolve) =>
    client.on('message', (data) => {
      received.push(data.toString());
      if (received.length === 2000) resolve();
    }),
  );
  for (let i = 0; i < 2000; i++) client.send(`message ${i}`);
  await all;
  t.same(received, Array.from({ length: 2000 }, (_, i) => `message ${i}`));
  client.close(1000);
  t.equal((await closed(client)).code, 1000);
});

t.test('closes are handed on both ways with code and reason', async (t) => {
  const { bridge, targetCloses } = await setup(t);
  const asked = await connectHttp1(`${bridge.url}echo`);
  asked.send('close please');
  const end = await closed(asked);
  t.same([end.code, end.reason, end.wasClean], [4000, 'as asked', true], 'the target closed: the client sees its code');
  const leaving = await connectHttp1(`${bridge.url}echo`);
  leaving.close(4001, 'bye');
  await closed(leaving);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.match(targetCloses.at(-1), { code: 4001, reason: 'bye' }, 'the client closed: the target sees its code');
});

t.test('a target that refuses gives 502', async (t) => {
  const { bridge } = await setup(t);
  const error = await connectHttp1(`${bridge.url}nowhere`).catch((error: unknown) => error);
  t.match(error, { code: 'UNEXPECTED_STATUS', status: 502 });
});
