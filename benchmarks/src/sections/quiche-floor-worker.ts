/**
 * The cost of QUIC itself: two quiche connections of @wstack/http3's native
 * binding, client and server, in this one process, their packets handed
 * from one to the other in memory (no socket, no event loop). Echoes one
 * message at a time on bidi stream 0 and reports the CPU per echo, both
 * ends together. Run in a process of its own (quiche-floor.ts forks it):
 *
 *   node quiche-floor-worker.js <sizes,comma-separated> <measureMs> <rounds>
 */
import { randomBytes } from 'node:crypto';
import { createDevCert } from '@wstack/dev-cert';
import { loadQuiche, type HostPort, type NativeConnection, type QuicheModule } from '../lib/http3-module.js';

export interface FloorFigures {
  size: number;
  cpuMicrosPerEcho: number;
  echoesPerSecond: number;
  /** Datagrams both ways per echo. */
  packetsPerEcho: number;
}

export type FloorReply = { figures: FloorFigures[]; datagramSize: number } | { failed: string };

const STREAM = 0;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** A client and a server connection, handshake done, and the echo between them. */
function pair({ quiche, serverConfig, clientConfig, quicSettings }: QuicheModule) {
  // @wstack/http3's defaults (datagrams of 1350 bytes, its windows), as its endpoints use them.
  const settings = quicSettings({});
  const cert = createDevCert();
  const clientAddress: HostPort = { host: '127.0.0.1', port: 40001 };
  const serverAddress: HostPort = { host: '127.0.0.1', port: 40002 };
  const toServer = { from: clientAddress, to: serverAddress };
  const toClient = { from: serverAddress, to: clientAddress };
  const client = quiche.Connection.connect(null, randomBytes(16), clientAddress, serverAddress, clientConfig(settings, { verifyPeer: false }));
  const server = quiche.Connection.accept(randomBytes(16), null, serverAddress, clientAddress, serverConfig(settings, { certChain: cert.cert, key: cert.key }));
  const datagram = Buffer.allocUnsafe(settings.maxUdpPayloadSize);
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const counter = { packets: 0 };

  /** Every datagram `from` has to send, handed to `to`. */
  const move = (from: NativeConnection, to: NativeConnection, info: { from: HostPort; to: HostPort }): number => {
    let moved = 0;
    for (let sent = from.send(datagram); sent !== null; sent = from.send(datagram)) {
      to.recv(datagram.subarray(0, sent[0]), info);
      moved++;
    }
    return moved;
  };

  /** Both ways until neither end has anything to send. */
  const pump = (): void => {
    for (;;) {
      const moved = move(client, server, toServer) + move(server, client, toClient);
      counter.packets += moved;
      if (moved === 0) return;
    }
  };

  /**
   * One echo. Stream 0 is read with `streamRecv` directly: iterating
   * quiche's `readable()` costs about 14 µs per call through the binding,
   * more than a packet's crypto. A message above the congestion window
   * leaves in several flights, so each side sends what quiche takes and
   * tries the rest after the next pump.
   */
  const echo = (message: Buffer): void => {
    let sent = 0;
    let back = 0;
    let echoing: Buffer | undefined;
    let idle = 0;
    while (back < message.length) {
      const before = sent + back;
      if (sent < message.length) sent += client.streamSend(STREAM, message.subarray(sent), false) ?? 0;
      pump();
      for (;;) {
        if (echoing === undefined) {
          const read = server.streamRecv(STREAM, readBuffer);
          if (read === null) break;
          echoing = readBuffer.subarray(0, read[0]);
        }
        const taken = server.streamSend(STREAM, echoing, false) ?? 0;
        // What quiche did not take is kept aside: readBuffer is read into again.
        echoing = taken < echoing.length ? Buffer.from(echoing.subarray(taken)) : undefined;
        if (echoing !== undefined) break;
      }
      pump();
      for (let read = client.streamRecv(STREAM, readBuffer); read !== null; read = client.streamRecv(STREAM, readBuffer)) back += read[0];
      // Without a clock nothing moves once both ends wait for a timer: fail instead of spinning.
      if (sent + back === before && ++idle > 3) throw new Error(`the in-memory echo of ${message.length} B stalled`);
    }
  };

  pump();
  return { established: client.isEstablished() && server.isEstablished(), echo, counter, datagramSize: settings.maxUdpPayloadSize };
}

function measure(quic: ReturnType<typeof pair>, size: number, measureMs: number, rounds: number): FloorFigures {
  const message = Buffer.alloc(size, 0x78);
  const warmUntil = performance.now() + Math.max(100, measureMs);
  while (performance.now() < warmUntil) quic.echo(message);
  const samples: FloorFigures[] = [];
  for (let round = 0; round < rounds; round++) {
    let echoes = 0;
    quic.counter.packets = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    // Batches of echoes between clock readings, so that reading the clock is no part of the figure.
    while (performance.now() - started < measureMs) {
      for (let i = 0; i < 50; i++) quic.echo(message);
      echoes += 50;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    samples.push({ size, cpuMicrosPerEcho: (cpu.user + cpu.system) / echoes, echoesPerSecond: echoes / seconds, packetsPerEcho: quic.counter.packets / echoes });
  }
  const pick = (key: keyof FloorFigures) => median(samples.map((s) => s[key]));
  return { size, cpuMicrosPerEcho: pick('cpuMicrosPerEcho'), echoesPerSecond: pick('echoesPerSecond'), packetsPerEcho: pick('packetsPerEcho') };
}

function run(loaded: QuicheModule | string): FloorReply {
  if (typeof loaded === 'string') return { failed: loaded };
  const [sizes, measureMs, rounds] = [process.argv[2]!.split(',').map(Number), Number(process.argv[3]), Number(process.argv[4])];
  try {
    const quic = pair(loaded);
    if (!quic.established) return { failed: 'the in-memory QUIC handshake did not complete' };
    return { figures: sizes.map((size) => measure(quic, size, measureMs, rounds)), datagramSize: quic.datagramSize };
  } catch (error) {
    return { failed: (error as Error).message };
  }
}

process.send!(run(await loadQuiche()));
// The one answer is sent: let the process end.
process.disconnect();
