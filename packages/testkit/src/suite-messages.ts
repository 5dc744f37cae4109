/** Opening, negotiation, messages of every size, fragments, ping and pong, order. */
import type { Test } from 'tap';
import type { TransportUnderTest } from './transport-under-test.js';
import { echo, messages, nextMessage, once, pattern } from './waiting.js';

const MiB = 1024 * 1024;
export const ECHO_SIZES = [0, 1, 125, 126, 127, 65535, 65536, 65537, MiB, 16 * MiB];

export function messageTests(t: Test, transport: TransportUnderTest): void {
  t.test('both ends open on the transport', async (t) => {
    const { client, server, request } = await transport.open({ path: '/room/1?user=a' });
    for (const [name, connection] of [['client', client], ['server', server]] as const) {
      t.equal(connection.readyState, 1, `${name} is OPEN`);
      t.equal(connection.transport, transport.transport, `${name} reports ${transport.transport}`);
      t.equal(connection.protocol, '', `${name}: no subprotocol`);
      t.equal(connection.bufferedAmount, 0);
    }
    t.equal(client.role, 'client');
    t.equal(server.role, 'server');
    if (transport.handshake) {
      t.equal(server.path, '/room/1?user=a');
      t.equal(request?.pathname, '/room/1');
      t.equal(request?.transport, transport.transport);
    }
    client.close();
  });

  if (transport.handshake) {
    t.test('the server picks the first subprotocol the client offers that it speaks', async (t) => {
      const { client, server, request } = await transport.open({ server: { protocols: ['v2', 'v1'] }, client: { protocols: ['v1', 'v2'] } });
      t.equal(server.protocol, 'v1');
      t.equal(client.protocol, 'v1');
      t.same(request?.protocols, ['v1', 'v2']);
      client.close();
    });

    t.test('no common subprotocol: the connection opens without one', async (t) => {
      const { client, server } = await transport.open({ server: { protocols: ['x'] }, client: { protocols: ['v1'] } });
      t.equal(server.protocol, '');
      t.equal(client.protocol, '');
      client.close();
    });
  }

  t.test('echo of every size, binary and text, from 0 B to 16 MiB', async (t) => {
    const { client, server } = await transport.open();
    echo(server);
    for (const size of ECHO_SIZES) {
      const payload = pattern(size, size);
      client.send(payload);
      const binary = await nextMessage(client);
      t.ok(binary.binary && binary.data.equals(payload), `binary ${size} B`);
      const text = 'é'.repeat(size >> 1) + 'x'.repeat(size & 1);
      client.send(text);
      const echoed = await nextMessage(client);
      t.ok(!echoed.binary && echoed.data.toString() === text, `text ${Buffer.byteLength(text)} B`);
    }
    client.close(1000);
  });

  t.test('the server sends to the client as well', async (t) => {
    const { client, server } = await transport.open();
    echo(client);
    const payload = pattern(70000, 3);
    server.send(payload);
    t.ok((await nextMessage(server)).data.equals(payload));
    server.send('from the server');
    t.equal((await nextMessage(server)).data.toString(), 'from the server');
    server.close(1000);
  });

  t.test('fragmented messages, with control frames between fragments', async (t) => {
    const { client, server } = await transport.open();
    const arrived = messages(server, 3);
    const text = client.sendFragments({ binary: false });
    text.write('Hel');
    client.ping('between');
    text.write('');
    text.write(Buffer.from('lo, wörld'));
    text.end();
    const binary = client.sendFragments();
    binary.write(pattern(100000, 1));
    binary.end(pattern(10, 2));
    client.sendFragments({ binary: true }).end();
    const [first, second, third] = await arrived;
    t.same([first!.binary, first!.data.toString()], [false, 'Hello, wörld']);
    t.ok(second!.binary && second!.data.equals(Buffer.concat([pattern(100000, 1), pattern(10, 2)])));
    t.same([third!.binary, third!.data.length], [true, 0]);
    t.throws(() => text.write('more'), { code: 'INVALID_STATE' }, 'an ended message takes no more fragments');
    const open = client.sendFragments();
    open.write('x');
    t.throws(() => client.send('other'), { code: 'INVALID_STATE' }, 'no other message while one is in fragments');
    open.end();
    client.close();
  });

  t.test('ping and pong, both ways, with payloads', async (t) => {
    const { client, server } = await transport.open();
    const serverSawPing = once<[Buffer]>(server, 'ping');
    const pong = once<[Buffer]>(client, 'pong');
    client.ping('are you there?');
    t.equal((await serverSawPing)[0].toString(), 'are you there?');
    t.equal((await pong)[0].toString(), 'are you there?', 'the pong carries the ping payload');
    const serverPong = once<[Buffer]>(server, 'pong');
    server.ping(Buffer.from([1, 2, 3]));
    t.same([...(await serverPong)[0]], [1, 2, 3]);
    const unsolicited = once<[Buffer]>(server, 'pong');
    client.pong('unsolicited');
    t.equal((await unsolicited)[0].toString(), 'unsolicited');
    t.throws(() => client.ping(Buffer.alloc(126)), { code: 'INVALID_ARGUMENT' }, 'control payloads hold 125 bytes at most');
    client.close();
  });

  t.test('automatic pongs can be turned off', async (t) => {
    const { client, server } = await transport.open({ client: { autoPong: false } });
    const ping = once<[Buffer]>(client, 'ping');
    let pongs = 0;
    server.on('pong', () => pongs++);
    server.ping('1');
    await ping;
    client.pong('by hand');
    await once(server, 'pong');
    t.equal(pongs, 1, 'only the pong sent by hand');
    client.close();
  });

  t.test('thousands of messages arrive in order, all before the close', async (t) => {
    const { client, server } = await transport.open();
    const count = 5000;
    const received: number[] = [];
    server.on('message', (data) => received.push(Number(data.toString())));
    const done = new Promise<number>((resolve) => server.on('close', () => resolve(received.length)));
    for (let i = 0; i < count; i++) client.send(String(i));
    client.close(1000);
    t.equal(await done, count);
    t.ok(received.every((value, i) => value === i), 'in order');
  });

  t.test('async iteration yields messages in order and ends with a clean close', async (t) => {
    const { client, server } = await transport.open();
    for (let i = 0; i < 10; i++) client.send(i % 2 ? pattern(i * 1000) : `text ${i}`);
    client.close(1000);
    const seen: string[] = [];
    for await (const message of server) seen.push(message.binary ? `binary ${message.data.length}` : message.data.toString());
    t.same(seen, ['text 0', 'binary 1000', 'text 2', 'binary 3000', 'text 4', 'binary 5000', 'text 6', 'binary 7000', 'text 8', 'binary 9000']);
    t.throws(() => server[Symbol.asyncIterator](), { code: 'INVALID_STATE' }, 'one iteration at a time');
  });

  t.test('leaving the loop early closes the connection with 1000', async (t) => {
    const { client, server } = await transport.open();
    client.send('one');
    client.send('two');
    const closing = new Promise<number>((resolve) => client.once('close', (details) => resolve(details.code)));
    for await (const message of server) {
      t.equal(message.data.toString(), 'one');
      break;
    }
    t.equal(await closing, 1000);
  });

  t.test('many connections at once', async (t) => {
    const pairs = await Promise.all(Array.from({ length: 24 }, () => transport.open()));
    const results = await Promise.all(
      pairs.map(async ({ client, server }, i) => {
        echo(server);
        client.send(`hello ${i}`);
        const reply = (await nextMessage(client)).data.toString();
        client.close();
        return reply === `hello ${i}`;
      }),
    );
    t.ok(results.every(Boolean), 'every connection echoed its own message');
  });
}
