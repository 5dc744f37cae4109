/**
 * Many cheap WebSocket client connections for the memory and broadcast
 * sections: plain sockets that send a fixed handshake and then only count
 * the bytes they receive, so that the client process stays light whatever
 * the server. Spread over 127.0.0.x source addresses when ports run short.
 */
import { connect, type Socket } from 'node:net';

/** The upgrade request every cheap client sends (the RFC 6455 §1.2 sample key). */
export const UPGRADE_REQUEST = Buffer.from(
  'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
);
/** Source addresses per 25,000 connections: the ephemeral port range holds about 28,000. */
const PER_SOURCE = 25_000;

export class RawConnections {
  readonly sockets: Socket[] = [];
  /** Bytes received after the handshake answer, over all sockets. */
  received = 0;

  /**
   * Opens `count` connections, `parallel` at a time; with `handshake`, each
   * counts as open once the 101 answer is in, else once TCP is connected.
   */
  async open(port: number, count: number, handshake: boolean, progress: (opened: number) => void, parallel = 256): Promise<void> {
    let next = 0;
    const one = (): Promise<void> =>
      new Promise((resolve, reject) => {
        next++;
        const index = this.sockets.length;
        const source = Math.floor(index / PER_SOURCE);
        // The first source address is left to connect() to pick: binding one
        // first makes the kernel search the port range for each socket
        // (bind cannot know the destination), which grew to seconds per
        // thousand connections; connect() hashes straight to a free port.
        const socket = connect({ host: '127.0.0.1', port, ...(source === 0 ? {} : { localAddress: `127.0.0.${1 + source}` }) });
        let head = true;
        socket.on('error', reject);
        socket.on('connect', () => {
          socket.write(UPGRADE_REQUEST);
          if (!handshake) resolve();
        });
        socket.on('data', (chunk: Buffer) => {
          if (head) {
            const end = chunk.indexOf('\r\n\r\n');
            if (end === -1) return;
            head = false;
            this.received += chunk.length - end - 4;
            resolve();
          } else {
            this.received += chunk.length;
          }
        });
        this.sockets.push(socket);
      });
    const lane = async () => {
      while (next < count) {
        await one();
        if (this.sockets.length % 500 === 0) progress(this.sockets.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.length = 0;
  }
}
