/**
 * permessage-deflate: throughput of compress + inflate per message size,
 * and memory per connection, with and without context takeover.
 *
 *   pnpm bench:deflate [--quick]
 *
 * Throughput: one connection pair over memory carriers sends JSON-like text
 * to its echoing peer; MB/s counts the payload bytes that make the round
 * trip. Memory: N connection pairs each exchange one compressed message,
 * then stay open; the growth of RSS (and of zlib's native memory, which
 * shows in RSS, not in the JS heap) is divided by N.
 */
import type { DeflateParams } from '@wstack/protocol';
import { createMemoryCarrierPair, WebSocketConnection } from '@wstack/core';

const quick = process.argv.includes('--quick');
const TAKEOVER: DeflateParams = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 };
const NO_TAKEOVER: DeflateParams = { ...TAKEOVER, serverNoContextTakeover: true, clientNoContextTakeover: true };
const SETTINGS: [string, DeflateParams | undefined][] = [
  ['no compression', undefined],
  ['context takeover', TAKEOVER],
  ['no context takeover', NO_TAKEOVER],
];

function pair(deflate: DeflateParams | undefined) {
  const [a, b] = createMemoryCarrierPair({ highWaterMark: 1 << 24 });
  const negotiated = deflate ? { deflate } : {};
  const options = { compression: { threshold: 0 } };
  return { client: new WebSocketConnection('client', a, negotiated, options), server: new WebSocketConnection('server', b, negotiated, options) };
}

/** Text that compresses the way application JSON does. */
function jsonLike(size: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    const part = `{"id":${i},"user":"user${i % 97}","status":"${i % 3 ? 'online' : 'away'}","score":${(i * 7919) % 10007}},`;
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, size);
}

async function throughput(deflate: DeflateParams | undefined, size: number): Promise<{ mbps: number; ratio: number }> {
  const { client, server } = pair(deflate);
  server.on('message', (data, binary) => server.send(data, { binary }));
  const text = jsonLike(size);
  const budget = quick ? 300 : 1500;
  let bytes = 0;
  const started = performance.now();
  // Keep a window of messages in flight.
  await new Promise<void>((resolve) => {
    let inFlight = 0;
    const pump = () => {
      while (inFlight < 8 && performance.now() - started < budget) {
        inFlight++;
        client.send(text);
      }
      if (inFlight === 0) resolve();
    };
    client.on('message', (data) => {
      inFlight--;
      bytes += data.length;
      pump();
    });
    pump();
  });
  const seconds = (performance.now() - started) / 1000;
  // Payload over wire bytes for the 2nd to 11th message of a fresh pair: where context takeover pays off.
  let ratio = 1;
  if (deflate) {
    const probe = pair(deflate);
    let wire = 0;
    const carrier = (probe.client as unknown as { carrier: { write(chunks: Buffer[]): boolean } }).carrier;
    const write = carrier.write.bind(carrier);
    carrier.write = (chunks) => {
      for (const chunk of chunks) wire += chunk.length;
      return write(chunks);
    };
    for (let i = 0; i < 11; i++) {
      if (i === 1) wire = 0;
      probe.client.send(text);
      await new Promise((resolve) => probe.server.once('message', resolve));
    }
    ratio = (size * 10) / wire;
    probe.client.terminate();
  }
  client.terminate();
  return { mbps: bytes / seconds / 1e6, ratio };
}

async function memoryPerConnection(deflate: DeflateParams | undefined, count: number): Promise<number> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  const pairs = [];
  for (let i = 0; i < count; i++) {
    const connections = pair(deflate);
    pairs.push(connections);
    connections.server.on('message', (data) => connections.server.send(data));
    connections.client.on('message', () => undefined);
    connections.client.send(jsonLike(2048));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  global.gc?.();
  const after = process.memoryUsage().rss;
  for (const { client } of pairs) client.terminate();
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Both ends live in this process: half the growth is one connection.
  return (after - before) / count / 2;
}

console.log(`permessage-deflate — node ${process.version}${quick ? ' (quick)' : ''}`);
console.log('\nthroughput, echo of JSON-like text (payload MB/s; ratio = payload / wire bytes)');
console.log(['size', ...SETTINGS.map(([name]) => name)].map((c) => c.padStart(24)).join(''));
for (const size of [1024, 16 * 1024, 64 * 1024]) {
  const cells: string[] = [];
  for (const [, deflate] of SETTINGS) {
    const { mbps, ratio } = await throughput(deflate, size);
    cells.push(deflate ? `${mbps.toFixed(1)} (×${ratio.toFixed(1)})` : mbps.toFixed(1));
  }
  console.log([`${size / 1024} KiB`, ...cells].map((c) => c.padStart(24)).join(''));
}
const count = quick ? 200 : 1000;
console.log(`\nmemory per connection after one 2 KiB compressed message each way (${count} connections, RSS)`);
for (const [name, deflate] of SETTINGS) {
  const perConnection = await memoryPerConnection(deflate, count);
  console.log(`${name.padStart(24)}${`${(perConnection / 1024).toFixed(1)} KiB`.padStart(24)}`);
}
