/**
 * The client side of the driver: one UDP socket per QUIC connection,
 * connected to the server's address (so that no datagram from elsewhere
 * reaches the connection, and sends need no address lookup).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { BAD_CERTIFICATE, closeText, QuicConnection, type QuicCloseInfo } from './connection.js';
import { quiche } from './native.js';
import type { NativeConfig } from './binding.js';
import { addressText } from './address.js';
import { DialError } from './errors.js';
import { growSocketBuffers } from './socket-buffers.js';

export interface DialOptions {
  host: string;
  port: number;
  /** The name for SNI; none for an IP address. */
  serverName: string | undefined;
  config: NativeConfig;
  maxDatagramSize: number;
  keepAliveInterval: number;
  /** QuicConnectionOptions.resetBudget. */
  resetBudget?: number;
  /** QuicConnectionOptions.receiveBudget. */
  receiveBudget?: number;
  /** The UDP socket's kernel buffers, each way (socket-buffers.ts). */
  udpBufferSize: number;
  verify?: (chain: Uint8Array[]) => string | undefined;
}

export interface Dialing extends Promise<QuicConnection> {
  /** Stops a handshake still under way. */
  cancel(reason: string): void;
}

export function dial(options: DialOptions): Dialing {
  let cancelled: string | undefined;
  let connection: QuicConnection | undefined;
  const promise = (async () => {
    const address = isIP(options.host) ? options.host : (await lookup(options.host)).address;
    if (cancelled !== undefined) throw new DialError(cancelled);
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(options.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    growSocketBuffers(socket, options.udpBufferSize);
    // On a connected UDP socket the kernel reports an ICMP port unreachable as ECONNREFUSED (Linux): nothing listens there.
    let refused: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNREFUSED' || connection === undefined || connection.isEstablished) return;
      refused = `nothing listens on UDP ${addressText(address, options.port)} (ECONNREFUSED)`;
      connection.close(false, 0, refused);
    });
    const local = socket.address();
    const remote = { host: address, port: options.port };
    const native = quiche.Connection.connect(options.serverName ?? null, randomBytes(16), { host: local.address, port: local.port }, remote, options.config);
    connection = new QuicConnection({
      native,
      isServer: false,
      local: { host: local.address, port: local.port },
      remote,
      maxDatagramSize: options.maxDatagramSize,
      keepAliveInterval: options.keepAliveInterval,
      ...(options.resetBudget !== undefined ? { resetBudget: options.resetBudget } : {}),
      ...(options.receiveBudget !== undefined ? { receiveBudget: options.receiveBudget } : {}),
      send: (datagram) => socket.send(datagram),
      ...(options.verify ? { verify: options.verify } : {}),
    });
    const opened = connection;
    socket.on('message', (datagram, from) => opened.receive(datagram, { host: from.address, port: from.port }));
    opened.once('close', () => socket.close());
    // Listening before anything can end it: a cancel that came while the socket connected closes it at once.
    const settled = new Promise<void>((resolve, reject) => {
      const onClose = (info: QuicCloseInfo) => reject(refused !== undefined ? new DialError(refused, info) : handshakeFailure(info, address, options.port, cancelled));
      opened.once('close', onClose);
      opened.once('established', () => {
        opened.off('close', onClose);
        resolve();
      });
    });
    if (cancelled !== undefined) opened.close(true, 0x10c, cancelled);
    opened.flush();
    await settled;
    return opened;
  })() as Dialing;
  promise.cancel = (reason) => {
    cancelled ??= reason;
    if (connection && !connection.isEstablished) connection.close(true, 0x10c, reason);
  };
  return promise;
}

function handshakeFailure(info: QuicCloseInfo, host: string, port: number, cancelled: string | undefined): DialError {
  const where = addressText(host, port);
  if (cancelled !== undefined) return new DialError(`the QUIC handshake with ${where} was cancelled: ${cancelled}`, info);
  if (info.by === 'idle') return new DialError(`no QUIC answer from ${where} (UDP) before the idle timeout`, info, 'QUIC_TIMEOUT');
  // Our own check of the chain refused it (connection.ts): the reason is the close's.
  if (info.by === 'local' && !info.isApp && info.code === BAD_CERTIFICATE) return new DialError(`the certificate of ${where} is not trusted: ${info.reason}`, info, 'CERT_UNTRUSTED');
  return new DialError(`the QUIC handshake with ${where} failed: the connection ${closeText(info)}`, info);
}
