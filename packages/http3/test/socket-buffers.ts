/** QUIC endpoints ask the kernel for UDP buffers that outlast an event-loop stall (socket-buffers.ts). */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { devCert } from './h3-transport.js';
import { serverConfig } from '../src/quic/config.js';
import { ServerEndpoint } from '../src/quic/server-endpoint.js';
import { growSocketBuffers } from '../src/quic/socket-buffers.js';
import { DEFAULT_UDP_BUFFER_SIZE, quicSettings } from '../src/tuning.js';

// Linux grants at most net.core.rmem_max and reports twice what it granted (socket(7)).
const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
const granted = (asked: number) => 2 * Math.min(asked, rmemMax);

async function boundSocket() {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

t.test('growSocketBuffers asks the kernel for larger buffers each way, and never shrinks them', async (t) => {
  const socket = await boundSocket();
  t.teardown(() => socket.close());
  const before = socket.getRecvBufferSize();
  growSocketBuffers(socket, 1024 * 1024);
  t.equal(socket.getRecvBufferSize(), Math.max(before, granted(1024 * 1024)));
  t.ok(socket.getSendBufferSize() >= 2 * Math.min(1024 * 1024, Number(readFileSync('/proc/sys/net/core/wmem_max', 'utf8'))));
  const grown = socket.getRecvBufferSize();
  growSocketBuffers(socket, 4096);
  t.equal(socket.getRecvBufferSize(), grown, 'a smaller size leaves the buffer as it is');
});

t.test('0 keeps the system default', async (t) => {
  const [plain, kept] = [await boundSocket(), await boundSocket()];
  t.teardown(() => (plain.close(), kept.close()));
  growSocketBuffers(kept, 0);
  t.equal(kept.getRecvBufferSize(), plain.getRecvBufferSize());
});

t.test('the server endpoint grows its socket by default', async (t) => {
  const settings = quicSettings({});
  t.equal(settings.udpBufferSize, DEFAULT_UDP_BUFFER_SIZE);
  const endpoint = new ServerEndpoint({
    config: serverConfig(settings, { certChain: devCert.cert, key: devCert.key }),
    maxDatagramSize: settings.maxUdpPayloadSize,
    keepAliveInterval: 0,
    udpBufferSize: settings.udpBufferSize,
    onConnection: () => undefined,
  });
  await endpoint.listen('127.0.0.1', 0);
  t.teardown(() => endpoint.close());
  const plain = await boundSocket();
  t.teardown(() => plain.close());
  t.equal(endpoint.receiveBufferSize, Math.max(plain.getRecvBufferSize(), granted(DEFAULT_UDP_BUFFER_SIZE)));
});
