/**
 * The carrier of a WebSocket over HTTP/1.1: the TCP or TLS socket itself,
 * once the upgrade is done.
 */
import type { Socket } from 'node:net';
import type { Carrier, CarrierEvents } from '@wstack/core';

export class SocketCarrier implements Carrier {
  readonly transport = 'http/1.1' as const;
  /** Over TCP the server closes after the closing handshake; a client waits (RFC 6455 §7.1.1). */
  readonly endsAfterCloseFrame = false;
  private readonly highWaterMark: number;
  private needDrain = false;
  private paused = false;
  private error: Error | undefined;

  /**
   * `head` holds bytes that arrived behind the handshake. The high-water
   * mark is at least the socket's own, so that its 'drain' always follows a
   * write this carrier refused.
   */
  constructor(
    private readonly socket: Socket,
    private head: Buffer | undefined,
    highWaterMark: number,
  ) {
    this.highWaterMark = Math.max(highWaterMark, socket.writableHighWaterMark);
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  attach(events: CarrierEvents): void {
    const socket = this.socket;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    socket.on('error', (error) => {
      this.error ??= error;
    });
    socket.on('close', () => events.close(this.error));
    socket.on('end', () => events.end());
    socket.on('drain', () => {
      if (!this.needDrain) return;
      this.needDrain = false;
      events.drain();
    });
    // Bytes behind the handshake come first, once the application has had
    // the connection in its hands: a server's handler runs right after this,
    // a client's `await connect(…)` continuation in a microtask, so one turn
    // of the event loop later both have attached their listeners.
    const head = this.head;
    this.head = undefined;
    if (head !== undefined && head.length !== 0) {
      socket.pause();
      setImmediate(() => {
        if (socket.destroyed) return;
        events.data(head);
        if (!this.paused) socket.resume();
      });
    }
    socket.on('data', (chunk: Buffer) => events.data(chunk));
  }

  write(chunks: readonly Buffer[]): boolean {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return false;
    if (chunks.length === 1) {
      socket.write(chunks[0]!);
    } else {
      socket.cork();
      for (const chunk of chunks) socket.write(chunk);
      socket.uncork();
    }
    if (socket.writableLength < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  end(): void {
    this.socket.end();
  }

  abort(error?: Error): void {
    this.error ??= error;
    this.socket.destroy();
  }

  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    this.socket.resume();
  }
}
