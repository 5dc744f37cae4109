/**
 * A bare QUIC client on quiche's binding, without the driver of src/quic:
 * it decides itself what goes into each datagram. Used to send
 * streams in the very datagram that completes the handshake, as Chromium
 * does (defect B), which our own client never does.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { quiche } from '../src/quic/native.js';
import type { NativeConnection } from '../src/quic/binding.js';

const MAX_DATAGRAM_SIZE = 1350;

/** The fields of a WebSocket's extended CONNECT (RFC 9220 §3), for a raw client to encode. */
export const CONNECT_WEBSOCKET: [string, string][] = [
  [':method', 'CONNECT'],
  [':protocol', 'websocket'],
  [':scheme', 'https'],
  [':authority', 'localhost'],
  [':path', '/'],
  ['sec-websocket-version', '13'],
];

export interface RawClient {
  conn: NativeConnection;
  /** Resolves at the end of the handshake; `onEstablished` ran just before the flight that carries the Finished left. */
  established: Promise<void>;
  /** Stream bytes received so far, by stream id, and which streams ended. */
  received: Map<number, Buffer>;
  finished: Set<number>;
  /** RESET_STREAM codes received, by stream id. */
  resets: Map<number, number>;
  /** Called after every datagram received. */
  onReceive: (() => void) | undefined;
  flush(coalesce?: boolean): void;
  close(): Promise<void>;
}

export async function rawClient(port: number, onEstablished: (conn: NativeConnection) => void): Promise<RawClient> {
  const config = quiche.Config.withBoringSslCtx(false, false, null, null, null, null);
  config.setApplicationProtos(['h3']);
  config.setMaxIdleTimeout(10_000);
  config.setMaxRecvUdpPayloadSize(MAX_DATAGRAM_SIZE);
  config.setMaxSendUdpPayloadSize(MAX_DATAGRAM_SIZE);
  config.setInitialMaxData(1 << 20);
  config.setInitialMaxStreamDataBidiLocal(1 << 20);
  config.setInitialMaxStreamDataBidiRemote(1 << 20);
  config.setInitialMaxStreamDataUni(1 << 20);
  config.setInitialMaxStreamsBidi(10);
  config.setInitialMaxStreamsUni(10);
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const local = { host: '127.0.0.1', port: socket.address().port };
  const remote = { host: '127.0.0.1', port };
  const conn = quiche.Connection.connect('localhost', randomBytes(20), local as never, remote as never, config);
  let timer: NodeJS.Timeout | undefined;
  let opened = false;
  let sending = 0;
  let sent: (() => void) | undefined;
  let establish!: () => void;
  const client: RawClient = {
    conn,
    established: new Promise<void>((resolve) => (establish = resolve)),
    received: new Map(),
    finished: new Set(),
    resets: new Map(),
    onReceive: undefined,
    flush(coalesce = false) {
      const packets: Buffer[] = [];
      for (;;) {
        const buffer = Buffer.allocUnsafe(MAX_DATAGRAM_SIZE);
        const sent = conn.send(buffer);
        if (sent === null) break;
        packets.push(buffer.subarray(0, sent[0]));
      }
      // QUIC packets are self-delimiting: several may share a datagram (RFC 9000 §12.2).
      const datagrams: Buffer[] = [];
      for (const packet of packets) {
        const last = datagrams.at(-1);
        if (coalesce && last && last.length + packet.length <= MAX_DATAGRAM_SIZE) datagrams[datagrams.length - 1] = Buffer.concat([last, packet]);
        else datagrams.push(packet);
      }
      for (const datagram of datagrams) {
        sending++;
        socket.send(datagram, port, '127.0.0.1', () => {
          if (--sending === 0) sent?.();
        });
      }
      clearTimeout(timer);
      const wait = conn.timeout();
      if (wait !== null) {
        timer = setTimeout(() => {
          conn.onTimeout();
          client.flush();
        }, wait + 1);
      }
    },
    async close() {
      clearTimeout(timer);
      try {
        conn.close(true, 0x100, Buffer.alloc(0));
        client.flush();
      } catch {
        // Already closed.
      }
      clearTimeout(timer);
      // Let the CONNECTION_CLOSE leave before the socket goes.
      if (sending !== 0) await new Promise<void>((resolve) => (sent = resolve));
      socket.close();
    },
  };
  socket.on('message', (message) => {
    conn.recv(message, { from: remote, to: local } as never);
    let first = false;
    if (conn.isEstablished() && !opened) {
      opened = true;
      first = true;
      // Queued now: the next flush packs them with the client's Finished.
      onEstablished(conn);
    }
    for (const id of conn.readable()) {
      const buffer = Buffer.alloc(65536);
      try {
        for (let got = conn.streamRecv(id, buffer); got !== null; got = conn.streamRecv(id, buffer)) {
          client.received.set(id, Buffer.concat([client.received.get(id) ?? Buffer.alloc(0), buffer.subarray(0, got[0])]));
          if (got[1]) client.finished.add(id);
          if (got[0] === 0) break;
        }
      } catch (error) {
        // quiche reports a RESET_STREAM as StreamReset(code); anything else means nothing more to read now.
        const reset = /StreamReset\((\d+)\)/.exec(String((error as Error)?.message));
        if (reset) client.resets.set(id, Number(reset[1]));
      }
    }
    client.flush(first);
    if (first) establish();
    client.onReceive?.();
  });
  client.flush();
  return client;
}
