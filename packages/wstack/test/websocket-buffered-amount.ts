/**
 * The WHATWG WebSocket's bufferedAmount on every transport: the bytes of
 * application data (UTF-8 text, binary data; no frame header, no mask)
 * counted from send() on, until the connection says they were handed to
 * the network.
 */
import t from 'tap';
import { Blob } from 'node:buffer';
import type { WebSocketConnection } from '@wstack/core';
import { createServer, WebSocket, type ClientTransport } from '../src/index.js';

const next = (ws: WebSocket, type: string) => new Promise<Event>((resolve) => ws.addEventListener(type, resolve, { once: true }));

/** Waits (a turn of the event loop at a time, bounded) until `check` holds. */
async function until(check: () => boolean, turns = 2000): Promise<boolean> {
  for (let i = 0; i < turns && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  return check();
}

const connections: WebSocketConnection[] = [];
const handler = (connection: WebSocketConnection) => {
  connections.push(connection);
  connection.on('message', (data, binary) => {
    // The held megabytes of the second test are not echoed: 24 MiB back would pass the server's own send cap.
    if (connection.readyState !== 1 || data.length >= 1024 * 1024) return;
    if (binary || data.toString() !== 'pause') return connection.send(data, { binary });
    connection.pause();
    connection.send('paused');
  });
};
const cleartext = await createServer({ handler });
const secure = await createServer({ devCert: true, handler });
t.teardown(() => Promise.all([cleartext.close(), secure.close()]));
const tls = { ca: secure.devCert!.cert };
const runs: [ClientTransport, string][] = [
  ['h1', cleartext.url],
  ['h2', cleartext.url],
];
if (secure.transports.includes('h3')) runs.push(['h3', secure.url]);

for (const [transport, url] of runs) {
  t.test(`over ${transport}: application bytes from send() on, 0 once handed to the network`, async (t) => {
    const ws = new WebSocket(url, [], { transport, tls });
    await next(ws, 'open');
    ws.send('¥¥¥¥¥¥');
    t.equal(ws.bufferedAmount, 12, 'text counts as UTF-8, right after send()');
    ws.send('');
    t.equal(ws.bufferedAmount, 12, 'an empty message counts nothing (its frame header is not application data)');
    ws.send(new Uint8Array(5));
    ws.send(new Blob(['abc']));
    t.equal(ws.bufferedAmount, 20, 'binary data and a Blob count their bytes');
    let messages = 0;
    ws.onmessage = () => messages++;
    t.ok(await until(() => messages === 4), 'all echoed');
    t.ok(await until(() => ws.bufferedAmount === 0), 'back to 0 once on the network');
    t.equal(ws.bufferedAmount, 0);
    ws.close();
    ws.send('after the close');
    t.equal(ws.bufferedAmount, 15, 'a send after the close counts, and is dropped');
    await next(ws, 'close');
    t.equal(ws.bufferedAmount, 15, 'and never stops counting');
  });

  t.test(`over ${transport}: a peer that does not read holds whole messages in bufferedAmount until it reads`, async (t) => {
    // More than loopback's kernel buffers take (a few MiB), under no cap.
    const ws = new WebSocket(url, [], { transport, tls, maxBufferedAmount: Infinity });
    await next(ws, 'open');
    const server = connections.at(-1)!;
    ws.send('pause');
    await next(ws, 'message');
    const size = 1024 * 1024;
    for (let i = 0; i < 24; i++) ws.send(new Uint8Array(size));
    t.equal(ws.bufferedAmount, 24 * size);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const held = ws.bufferedAmount;
    t.ok(held > 0, `some messages wait for the peer (${held} bytes)`);
    t.equal(held % size, 0, 'counted in whole messages of application bytes, not in frames');
    server.resume();
    t.ok(await until(() => ws.bufferedAmount === 0), 'the peer read: all handed over');
    ws.close();
    await next(ws, 'close');
  });
}
