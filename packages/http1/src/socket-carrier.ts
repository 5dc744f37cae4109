/**
 * The carrier of a WebSocket over HTTP/1.1: the TCP or TLS socket itself,
 * once the upgrade is done.
 */
import type { Socket } from 'node:net';
import type { Carrier, CarrierEvents } from '@wstack/core';

const EMPTY = Buffer.alloc(0);

/** Where a socket's shared listeners find the carrier that owns it. */
const CARRIER = Symbol('wstack.socketCarrier');
type CarriedSocket = Socket & { [CARRIER]: SocketCarrier };

export class SocketCarrier implements Carrier {
  readonly transport = 'http/1.1' as const;
  /** Over TCP the server closes after the closing handshake; a client waits (RFC 6455 §7.1.1). */
  readonly endsAfterCloseFrame = false;
  private readonly highWaterMark: number;
  private needDrain = false;
  /** This carrier wrote in the current tick (and is in `wroteThisTick`). */
  private wroteInTick = false;
  /** The socket is corked until the end of this tick. */
  private corked = false;
  private paused = false;
  private error: Error | undefined;
  private events: CarrierEvents | undefined;

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
    const socket = this.socket as CarriedSocket;
    this.events = events;
    socket[CARRIER] = this;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    // Listeners shared by all carriers, which find theirs on the socket: no closures per connection (idle memory).
    socket.on('error', SocketCarrier.onError);
    socket.on('close', SocketCarrier.onClose);
    socket.on('end', SocketCarrier.onEnd);
    socket.on('drain', SocketCarrier.onDrain);
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
    socket.on('data', SocketCarrier.onData);
  }

  private static onError(this: CarriedSocket, error: Error): void {
    const carrier = this[CARRIER];
    carrier.error ??= error;
  }

  private static onClose(this: CarriedSocket): void {
    const carrier = this[CARRIER];
    carrier.events!.close(carrier.error);
  }

  private static onEnd(this: CarriedSocket): void {
    this[CARRIER].events!.end();
  }

  private static onDrain(this: CarriedSocket): void {
    const carrier = this[CARRIER];
    if (!carrier.needDrain) return;
    carrier.needDrain = false;
    carrier.events!.drain();
  }

  private static onData(this: CarriedSocket, chunk: Buffer): void {
    this[CARRIER].events!.data(chunk);
  }

  /**
   * The first write of a tick goes out at once; any later ones in the same
   * tick are corked and leave together in one system call when the tick
   * ends. A broadcast that sends several messages to a connection at once,
   * or answers to several frames that came in one chunk, cost two writes
   * instead of one each (a write on loopback costs far more than the
   * JavaScript around it), while one message per tick, the common case,
   * costs no more than a plain socket write. One callback at the end of the
   * tick serves every carrier that wrote in it.
   */
  write(chunks: readonly Buffer[]): boolean {
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) return false;
    if (!this.wroteInTick) {
      this.wroteInTick = true;
      if (SocketCarrier.wroteThisTick.push(this) === 1) process.nextTick(SocketCarrier.endTick);
      // A frame in two pieces (header, then a large payload) still leaves in one call.
      if (chunks.length > 1) this.cork();
    } else {
      this.cork();
    }
    for (const chunk of chunks) socket.write(chunk);
    if (socket.writableLength < this.highWaterMark) return true;
    this.needDrain = true;
    return false;
  }

  /**
   * A socket calls its writes back in order once their bytes are in the
   * kernel; an empty write queues behind every byte before it (corked or
   * not) and so calls back when they all are. With nothing buffered they
   * are already there.
   */
  whenFlushed(callback: () => void): void {
    const socket = this.socket;
    if (socket.destroyed) return;
    if (socket.writableLength === 0) {
      process.nextTick(callback);
    } else if (socket.writableEnded) {
      socket.once('finish', callback);
    } else {
      socket.write(EMPTY, (error) => {
        if (!error) callback();
      });
    }
  }

  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
  }

  /** The carriers that wrote in the current tick. */
  private static readonly wroteThisTick: SocketCarrier[] = [];

  /** The tick ended: each carrier's next write goes out at once again, and what was corked leaves now. */
  private static endTick(): void {
    // Taken out first: a write made while uncorking belongs to the next round.
    for (const carrier of SocketCarrier.wroteThisTick.splice(0)) {
      carrier.wroteInTick = false;
      if (!carrier.corked) continue;
      carrier.corked = false;
      carrier.socket.uncork();
    }
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

