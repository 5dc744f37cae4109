/** The bridge: HTTP/1.1 in, another transport out, frame for frame: messages, closes, compression and protocol errors cross as they are. */
import t, { type Test } from 'tap';
import type { CloseDetails } from '@wstack/core';
import { connect as connectHttp1 } from '@wstack/http1';
import { closed, nextMessage, pattern } from '@wstack/testkit';
import { bridgeTo } from '../src/bridge.js';
import { createServer, openTunnel, type Tunnel } from '../src/index.js';

async function setup(t: Test) {
  const targetCloses: CloseDetails[] = [];
  const targetTransports: string[] = [];
  const target = await createServer({
    http1: false,
    protocols: ['chat'],
    perMessageDeflate: true,
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

t.test('compression is negotiated end to end: the bridge passes the offer on and the compressed frames through', async (t) => {
  const { bridge, targetTransports } = await setup(t);
  const client = await connectHttp1(`${bridge.url}echo`, { perMessageDeflate: true });
  t.match(client.extensions, /^permessage-deflate/, 'the target accepted the client\'s offer');
  t.same(targetTransports, ['h2 /echo']);
  const text = 'compressible '.repeat(10_000);
  client.send(text);
  t.equal((await nextMessage(client)).data.toString(), text);
  client.close(1000);
  await closed(client);
});

/** Bytes from a tunnel until `count` have come. */
function read(tunnel: Tunnel, count: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      if (length < count) return;
      tunnel.off('data', onData);
      resolve(Buffer.concat(chunks));
    };
    tunnel.on('data', onData);
  });
}

/** A masked client frame (RFC 6455 §5.2, §5.3) with a payload under 126 bytes; `first` is the whole first byte. */
function clientFrame(first: number, payload: Buffer): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, payload.map((byte, i) => byte ^ mask[i % 4]!)]);
}

t.test('a protocol error is the target\'s to judge: the echo before it comes back, then the target\'s 1002', async (t) => {
  const { bridge, targetCloses } = await setup(t);
  const tunnel = await openTunnel(`${bridge.url}echo`, { transport: 'h1' });
  // A text frame, then one with RSV1 set and no extension agreed (RFC 6455 §5.2: the receiver must fail the connection).
  const answer = read(tunnel, 4);
  tunnel.write(Buffer.concat([clientFrame(0x81, Buffer.from('hi')), clientFrame(0xc1, Buffer.from('bad'))]));
  const bytes = await answer;
  t.same([...bytes.subarray(0, 4)], [0x81, 2, 0x68, 0x69], 'first the echo of "hi", unmasked from the server');
  const rest = bytes.length > 4 ? bytes.subarray(4) : await read(tunnel, 4);
  t.same([rest[0], rest.readUInt16BE(2)], [0x88, 1002], 'then the target\'s close frame with 1002');
  tunnel.end();
  await new Promise((resolve) => tunnel.once('close', resolve));
  while (targetCloses.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  t.match(targetCloses[0]!.error, { code: 'RSV_NOT_NEGOTIATED', closeCode: 1002 }, 'the target failed the WebSocket itself');
});
