/**
 * The server side of the driver: one UDP socket, the connections it
 * accepted by connection id, and what RFC 9000 asks of a server before a
 * connection exists. Every datagram is handled synchronously in the
 * socket's callback, so the second datagram of a ClientHello always finds
 * the connection the first one made (no duplicate connections, README
 * defect A). Nothing a peer sends can throw out of here: what cannot be
 * parsed, matches no connection and starts none is dropped.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { QuicConnection } from './connection.js';
import { quiche } from './native.js';
import type { NativeConfig } from './binding.js';
import type { HostPort } from './address.js';
import { ListenError } from './errors.js';
import { readInvariants } from './invariants.js';
import { RetryTokens } from './retry-token.js';
import { growSocketBuffers } from './socket-buffers.js';

/** Our connection ids are this long (RFC 9000 §5.1); short headers carry no length, so the server must know it. */
export const CONNECTION_ID_LENGTH = 16;
/** RFC 9000 §14.1: a client's Initial datagram is at least 1200 bytes; smaller ones are dropped unanswered. */
const MIN_INITIAL_SIZE = 1200;

export interface ServerEndpointOptions {
  config: NativeConfig;
  /** Address validation with Retry before any connection state (RFC 9000 §8.1.2). Default true. */
  retry?: boolean;
  maxDatagramSize: number;
  keepAliveInterval: number;
  /** QuicConnectionOptions.resetBudget. */
  resetBudget?: number;
  /** QuicConnectionOptions.receiveBudget. */
  receiveBudget?: number;
  /** The UDP socket's kernel buffers, each way (socket-buffers.ts). */
  udpBufferSize: number;
  /** A connection completed its handshake. */
  onConnection(connection: QuicConnection): void;
}

export class ServerEndpoint {
  private socket: Socket | undefined;
  private local: HostPort = { host: '', port: 0 };
  private readonly connections = new Map<string, QuicConnection>();
  private readonly all = new Set<QuicConnection>();
  private readonly tokens = new RetryTokens();
  private readonly retry: boolean;
  private closing = false;
  /** Datagrams dropped since the start (unparseable, unknown id, or refused): for tests and diagnostics. */
  dropped = 0;

  constructor(private readonly options: ServerEndpointOptions) {
    this.retry = options.retry ?? true;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.all.size;
  }

  /**
   * Binds the UDP socket. Exclusive even in a cluster worker: a handle shared
   * through the primary process would hand a connection's datagrams to any
   * worker. With `reusePort` (SO_REUSEPORT, Node >= 22.12) processes bind the
   * same port and the kernel keeps each client address on one of them.
   */
  async listen(host: string, port: number, reusePort = false): Promise<HostPort> {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', ...(reusePort ? { reusePort } : {}) });
    await new Promise<void>((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(new ListenError(error.code ?? 'ERROR', host, port, error));
      };
      socket.once('error', failed);
      socket.bind({ port, address: host, exclusive: true }, () => {
        socket.off('error', failed);
        resolve();
      });
    });
    growSocketBuffers(socket, this.options.udpBufferSize);
    // A send that fails (a peer's port gone: ECONNREFUSED on some systems) concerns one datagram; QUIC's loss recovery copes.
    socket.on('error', () => undefined);
    socket.on('message', (datagram, remote) => this.receive(datagram, { host: remote.address, port: remote.port }));
    const address = socket.address();
    this.socket = socket;
    this.local = { host: address.address, port: address.port };
    return this.local;
  }

  /** The kernel's receive buffer of the socket, in bytes as Linux reports it (twice what was granted). */
  get receiveBufferSize(): number {
    return this.socket?.getRecvBufferSize() ?? 0;
  }

  get address(): HostPort | undefined {
    return this.socket ? this.local : undefined;
  }

  /** Stops receiving: connections still open are closed abruptly (the caller closes them gracefully first). */
  async close(): Promise<void> {
    // From now on no datagram starts a connection.
    this.closing = true;
    for (const connection of [...this.all]) connection.close(true, 0x100);
    const socket = this.socket;
    if (!socket) return;
    // Let their CONNECTION_CLOSE frames leave first (a send to an address waits for a look-up of it, a tick).
    await new Promise((resolve) => setImmediate(resolve));
    this.socket = undefined;
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    // Draining connections have no socket left to wait for: their timers stop here.
    for (const connection of [...this.all]) connection.abandon();
  }

  /** One datagram from the network. */
  receive(datagram: Buffer, from: HostPort): void {
    const packet = readInvariants(datagram, CONNECTION_ID_LENGTH);
    const known = packet && this.connections.get(key(packet.dcid));
    if (known !== undefined) {
      known.receive(datagram, from);
      return;
    }
    // No connection: only a full-size long header may start one or get an answer (RFC 9000 §14.1); a Version Negotiation packet never does (§6.1).
    if (packet === undefined || !packet.long || datagram.length < MIN_INITIAL_SIZE || packet.version === 0 || this.closing) {
      this.dropped++;
      return;
    }
    // RFC 9000 §6.1: a version we do not speak gets a Version Negotiation packet, whatever the rest looks like (RFC 8999 §6).
    if (!quiche.versionIsSupported(packet.version)) {
      this.versionNegotiation(packet.scid!, packet.dcid, from);
      return;
    }
    let header;
    try {
      header = quiche.Header.fromSlice(datagram, CONNECTION_ID_LENGTH);
    } catch {
      this.dropped++;
      return;
    }
    // 0-RTT and Handshake packets of unknown connections are dropped (0-RTT is never enabled here), and so is an Initial whose
    // destination id is shorter than the 8 bytes a client's first one must have (RFC 9000 §7.2).
    if (header.ty !== quiche.Type.Initial || header.dcid.length < 8) {
      this.dropped++;
      return;
    }
    this.initial(datagram, header.version, header.dcid, header.scid, header.token ?? undefined, from);
  }

  private initial(datagram: Buffer, version: number, dcid: Uint8Array, scid: Uint8Array, token: Uint8Array | undefined, from: HostPort): void {
    let connectionId: Buffer;
    let originalDcid: Buffer | null = null;
    if (this.retry) {
      if (token === undefined || token.length === 0) {
        this.sendRetry(version, dcid, scid, from);
        return;
      }
      const valid = this.tokens.validate(token, from.host, from.port);
      // RFC 9000 §8.1.3: an invalid token may be ignored; the client's Initial is dropped, and it times out or retries.
      if (valid === undefined || !valid.retryScid.equals(dcid)) {
        this.dropped++;
        return;
      }
      connectionId = valid.retryScid;
      originalDcid = valid.originalDcid;
    } else {
      connectionId = randomBytes(CONNECTION_ID_LENGTH);
    }
    let native;
    try {
      native = quiche.Connection.accept(connectionId, originalDcid, this.local, from, this.options.config);
    } catch {
      this.dropped++;
      return;
    }
    const connection = new QuicConnection({
      native,
      isServer: true,
      local: this.local,
      remote: from,
      maxDatagramSize: this.options.maxDatagramSize,
      keepAliveInterval: this.options.keepAliveInterval,
      ...(this.options.resetBudget !== undefined ? { resetBudget: this.options.resetBudget } : {}),
      ...(this.options.receiveBudget !== undefined ? { receiveBudget: this.options.receiveBudget } : {}),
      send: (bytes, to) => this.send(bytes, to),
    });
    const keys = [key(connectionId)];
    // Without Retry the client's next Initials still carry its own first destination id.
    if (!this.retry) keys.push(key(dcid));
    for (const id of keys) this.connections.set(id, connection);
    this.all.add(connection);
    connection.once('close', () => {
      for (const id of keys) if (this.connections.get(id) === connection) this.connections.delete(id);
      this.all.delete(connection);
    });
    connection.once('established', () => this.options.onConnection(connection));
    connection.receive(datagram, from);
  }

  private sendRetry(version: number, dcid: Uint8Array, scid: Uint8Array, from: HostPort): void {
    const retryScid = randomBytes(CONNECTION_ID_LENGTH);
    const token = this.tokens.mint(dcid, retryScid, from.host, from.port);
    const out = Buffer.allocUnsafe(MIN_INITIAL_SIZE);
    let length: number;
    try {
      length = quiche.retry(scid, dcid, retryScid, token, version, out);
    } catch {
      this.dropped++;
      return;
    }
    this.send(out.subarray(0, length), from);
  }

  private versionNegotiation(scid: Uint8Array, dcid: Uint8Array, from: HostPort): void {
    const out = Buffer.allocUnsafe(MIN_INITIAL_SIZE);
    let length: number;
    try {
      length = quiche.negotiateVersion(scid, dcid, out);
    } catch {
      this.dropped++;
      return;
    }
    this.send(out.subarray(0, length), from);
  }

  private send(datagram: Buffer, to: HostPort): void {
    this.socket?.send(datagram, to.port, to.host);
  }
}

function key(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.length).toString('latin1');
}
