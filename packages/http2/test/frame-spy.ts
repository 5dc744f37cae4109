/**
 * A TCP proxy in front of an h2c server that reads the HTTP/2 frame headers
 * going by (RFC 9113 §4.1: 24-bit length, type, flags, stream id), so that a
 * test can see END_STREAM, RST_STREAM and GOAWAY on the wire. Bytes pass
 * unchanged; `inject` adds raw bytes.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { CONNECTION_PREFACE } from '../src/index.js';

export const FrameType = { DATA: 0, HEADERS: 1, RST_STREAM: 3, SETTINGS: 4, GOAWAY: 7, WINDOW_UPDATE: 8 } as const;
export const END_STREAM = 0x1;

export interface SeenFrame {
  /** 'up': client to server; 'down': server to client. */
  direction: 'up' | 'down';
  type: number;
  flags: number;
  stream: number;
  length: number;
  /** RST_STREAM and GOAWAY: the error code. */
  errorCode?: number;
}

export interface FrameSpy {
  port: number;
  frames: SeenFrame[];
  /** Sends raw bytes to the server ('up', default) or the client ('down') on every proxied connection. */
  inject(bytes: Buffer, direction?: 'up' | 'down'): void;
  close(): Promise<void>;
}

class FrameReader {
  private pending = Buffer.alloc(0);
  private skip: number;

  constructor(
    private readonly direction: 'up' | 'down',
    private readonly frames: SeenFrame[],
  ) {
    this.skip = direction === 'up' ? CONNECTION_PREFACE.length : 0;
  }

  push(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.skip > 0) {
      const skipped = Math.min(this.skip, this.pending.length);
      this.pending = this.pending.subarray(skipped);
      this.skip -= skipped;
    }
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) return;
      const type = this.pending[3]!;
      const frame: SeenFrame = { direction: this.direction, type, flags: this.pending[4]!, stream: this.pending.readUInt32BE(5) & 0x7fffffff, length };
      if (type === FrameType.RST_STREAM) frame.errorCode = this.pending.readUInt32BE(9);
      if (type === FrameType.GOAWAY) frame.errorCode = this.pending.readUInt32BE(13);
      this.frames.push(frame);
      this.pending = this.pending.subarray(9 + length);
    }
  }
}

export async function frameSpy(targetPort: number): Promise<FrameSpy> {
  const frames: SeenFrame[] = [];
  const pairs: [client: Socket, upstream: Socket][] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    pairs.push([client, upstream]);
    sockets.add(client).add(upstream);
    const up = new FrameReader('up', frames);
    const down = new FrameReader('down', frames);
    client.on('data', (chunk: Buffer) => {
      up.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      down.push(chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    for (const socket of [client, upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    frames,
    inject(bytes, direction = 'up') {
      for (const [client, upstream] of pairs) {
        const target = direction === 'up' ? upstream : client;
        if (!target.destroyed) target.write(bytes);
      }
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** The frames of one stream, as "direction TYPE flags" strings, for readable assertions. */
export function framesOf(frames: readonly SeenFrame[], stream: number): SeenFrame[] {
  return frames.filter((frame) => frame.stream === stream);
}

/** Waits until the spy has seen what `done` looks for (frames can travel after the events a test awaits). */
export async function seen(frames: readonly SeenFrame[], done: (frames: readonly SeenFrame[]) => boolean): Promise<void> {
  while (!done(frames)) await new Promise((resolve) => setTimeout(resolve, 5));
}
