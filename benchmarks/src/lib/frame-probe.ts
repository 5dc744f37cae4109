/**
 * A few client WebSockets that read each message (small unmasked server
 * frames) and take its first 8 bytes as the time it was published: the
 * publish-to-delivery latency, sampled beside the byte-counting
 * RawConnections.
 */
import { connect, type Socket } from 'node:net';
import { UPGRADE_REQUEST } from './raw-upgrades.js';

export class FrameProbe {
  readonly sockets: Socket[] = [];
  /** Milliseconds from publish to arrival, one per message per socket, while recording. */
  latencies: number[] = [];
  recording = false;

  async open(port: number, count: number): Promise<void> {
    await Promise.all(Array.from({ length: count }, () => this.one(port)));
  }

  private one(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      let pending: Buffer = Buffer.alloc(0);
      let head = true;
      socket.on('error', reject);
      socket.on('connect', () => socket.write(UPGRADE_REQUEST));
      socket.on('data', (chunk: Buffer) => {
        const now = performance.timeOrigin + performance.now();
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        if (head) {
          const end = pending.indexOf('\r\n\r\n');
          if (end === -1) return;
          head = false;
          pending = pending.subarray(end + 4);
          resolve();
        }
        // Frames of at most 125 bytes: a 2-byte header, no mask from a server (RFC 6455 §5.2).
        while (pending.length >= 2 && pending.length >= 2 + (pending[1]! & 0x7f)) {
          const length = pending[1]! & 0x7f;
          if (this.recording && length >= 8) this.latencies.push(now - pending.readDoubleLE(2));
          pending = pending.subarray(2 + length);
        }
      });
      this.sockets.push(socket);
    });
  }

  close(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.length = 0;
  }
}
