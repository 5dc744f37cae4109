/**
 * One QUIC connection (RFC 9000) driven over quiche's native `Connection`:
 * datagrams in (`receive`), datagrams out (`flush`, once per event-loop
 * turn for everything that turn did), one timer from quiche's `timeout()`
 * (loss detection, ACK delay, idle timeout: RFC 9002, RFC 9000 §10.1), and
 * the streams (stream.ts) that ride it.
 *
 * Everything runs synchronously inside the socket's callback or the timer:
 * no promise, lock or event object per datagram.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { HostPort, NativeConnection, NativeConnectionError } from './native.js';
import { PeerStreamIds } from './peer-streams.js';
import { QuicStream, type StreamOwner } from './stream.js';

/** Why a connection ended. */
export interface QuicCloseInfo {
  /** Who closed it: this side, the peer, or nobody (idle timeout, RFC 9000 §10.1). */
  by: 'local' | 'peer' | 'idle';
  /** An application code (CONNECTION_CLOSE 0x1d) or a transport code (0x1c), RFC 9000 §19.19. */
  isApp: boolean;
  code: number;
  reason: string;
}

export interface QuicConnectionEvents {
  /** The handshake completed (and, on a client, the certificate check passed). */
  established: [];
  /** The peer opened a stream. */
  stream: [stream: QuicStream];
  /** The connection is over: quiche closed it, or it timed out idle. */
  close: [info: QuicCloseInfo];
}

export interface QuicConnectionOptions {
  native: NativeConnection;
  isServer: boolean;
  local: HostPort;
  remote: HostPort;
  /** Largest datagram quiche may write (its max_send_udp_payload_size). */
  maxDatagramSize: number;
  /** Milliseconds between PINGs on a quiet connection (RFC 9000 §10.1.2); 0 for none. */
  keepAliveInterval: number;
  /** Sends one datagram. */
  send(datagram: Buffer, to: HostPort): void;
  /** Client: checks the server's certificate chain (DER, leaf first) once the handshake completed. */
  verify?: (chain: Uint8Array[]) => boolean;
}

/** TLS alert bad_certificate (42) as a QUIC crypto error (RFC 9001 §4.8). */
const BAD_CERTIFICATE = 0x100 + 42;

/** Up to this many open streams, readable ones are found by asking each (readStreams). */
const SCAN_LIMIT = 32;

/** Where stream bytes are read before being copied out: one per process, used synchronously. */
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Datagrams are written straight into a slab, each into space never used
 * before, and handed to the socket as views: the socket may send them
 * after this turn, so no space is written twice.
 */
const SLAB_SIZE = 512 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabAt = 0;
let free: Buffer | undefined;

/** Connections with work for the end of this turn; one setImmediate for all of them. */
const dirty = new Set<QuicConnection>();
let flushScheduled = false;

/**
 * An exception from a handler (the application's code runs inside a flush)
 * is rethrown once every connection had its turn, as Node does with a
 * listener's exception; the connection it came from flushes again next turn,
 * so its packets leave and its timer is set.
 */
function flushAll(): void {
  flushScheduled = false;
  let failure: { error: unknown } | undefined;
  for (const connection of dirty) {
    dirty.delete(connection);
    try {
      connection.flush();
    } catch (error) {
      failure ??= { error };
      connection.flushAgain();
    }
  }
  if (failure) throw failure.error;
}

export class StreamLimitError extends Error {
  override readonly name = 'StreamLimitError';
  readonly code = 'QUIC_STREAM_LIMIT';
}

export class QuicConnection extends EventEmitter<QuicConnectionEvents> implements StreamOwner {
  readonly native: NativeConnection;
  readonly isServer: boolean;
  readonly local: HostPort;
  readonly remote: HostPort;
  /** Open streams by id. */
  private readonly streams = new Map<number, QuicStream>();
  private readonly toRead = new Set<QuicStream>();
  private readonly toPush = new Set<QuicStream>();
  /** Streams quiche could not take all of: retried once it lists them writable. */
  private readonly blocked = new Set<QuicStream>();
  /** Ids of streams we are done with that quiche may still be sending. */
  private readonly lingering = new Set<number>();
  private readonly options: QuicConnectionOptions;
  private nextBidi: number;
  private nextUni: number;
  /** Streams opened this turn that quiche does not know yet (they count against the peer's limit all the same). */
  private unsentBidi = 0;
  private unsentUni = 0;
  private readonly peerIds = new PeerStreamIds();
  /** Datagrams arrived since the last flush: streams to read, blocked ones to retry. */
  private inputPending = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private keepAlive: NodeJS.Timeout | undefined;
  private established = false;
  /** Client: the certificate check failed; the connection is closing. */
  private refused = false;
  private ended: QuicCloseInfo | undefined;
  private recvInfo: { from: HostPort; to: HostPort };

  constructor(options: QuicConnectionOptions) {
    super();
    this.options = options;
    this.native = options.native;
    this.isServer = options.isServer;
    this.local = options.local;
    this.remote = options.remote;
    this.recvInfo = { from: options.remote, to: options.local };
    this.nextBidi = options.isServer ? 1 : 0;
    this.nextUni = options.isServer ? 3 : 2;
  }

  get isEstablished(): boolean {
    return this.established;
  }

  /** A datagram from the peer. */
  receive(datagram: Buffer, from: HostPort): void {
    if (this.ended) return;
    // The same path as last time (always, with migration disabled): the same object for quiche to read.
    if (from.port !== this.recvInfo.from.port || from.host !== this.recvInfo.from.host) this.recvInfo = { from, to: this.local };
    try {
      this.native.recv(datagram, this.recvInfo);
    } catch {
      // quiche dropped the datagram, or failed the connection and queued its CONNECTION_CLOSE: flush sends it, and the close follows.
    }
    this.afterInput();
  }

  /** Reads the streams that arrived while nobody listened for 'stream'. */
  readWaiting(): void {
    if (this.established && !this.ended) this.afterInput();
  }

  /** Opens a stream of ours; throws StreamLimitError when the peer allows no more (RFC 9000 §4.6). */
  openStream(kind: 'bidi' | 'uni'): QuicStream {
    if (this.ended) throw new Error('the QUIC connection is closed');
    const left = kind === 'bidi' ? this.native.peerStreamsLeftBidi() - this.unsentBidi : this.native.peerStreamsLeftUni() - this.unsentUni;
    if (left <= 0) throw new StreamLimitError(`the peer allows no more ${kind === 'bidi' ? 'bidirectional' : 'unidirectional'} streams now`);
    let id: number;
    if (kind === 'bidi') {
      id = this.nextBidi;
      this.nextBidi += 4;
      this.unsentBidi++;
    } else {
      id = this.nextUni;
      this.nextUni += 4;
      this.unsentUni++;
    }
    const stream = new QuicStream(id, this);
    this.streams.set(id, stream);
    return stream;
  }

  /** Closes the connection (CONNECTION_CLOSE, RFC 9000 §10.2) with an application or transport code; unsent stream data is dropped. */
  close(isApp: boolean, code: number, reason = ''): void {
    if (this.ended) return;
    try {
      this.native.close(isApp, code, Buffer.from(reason.slice(0, 100)));
    } catch {
      // Already closing.
    }
    this.flush();
  }

  /** Ends the connection without a word to the peer (its socket is gone): timers stop, streams fail. */
  abandon(): void {
    if (this.ended) return;
    try {
      this.native.close(true, 0, Buffer.alloc(0));
    } catch {
      // Already closing.
    }
    this.finish();
  }

  /**
   * Resolves once quiche has forgotten the streams we are done with (their
   * last bytes and FIN acknowledged, or their reset), or after `limit` ms.
   * Closing before that would drop what is still unsent: CONNECTION_CLOSE
   * discards stream data (RFC 9000 §10.2), and the peer would see its
   * WebSocket fail instead of closing cleanly. quiche offers no event for
   * it, so this looks every 10 ms.
   */
  async settled(limit = 2000): Promise<void> {
    const until = Date.now() + limit;
    while (!this.ended && Date.now() < until) {
      this.sweep();
      if (this.lingering.size === 0 && this.toPush.size === 0 && this.blocked.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  // StreamOwner

  wantsFlush(stream: QuicStream): void {
    this.toPush.add(stream);
    this.schedule();
  }

  wantsRead(stream: QuicStream): void {
    this.toRead.add(stream);
    this.schedule();
  }

  done(stream: QuicStream): void {
    if (this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    // A long-lived connection sees many streams come and go: forget those quiche has already collected.
    if (this.lingering.size >= 64) this.sweep();
    this.lingering.add(stream.id);
  }

  /** Hands queued stream data to quiche and quiche's packets to the socket; re-arms the timer. */
  flush(): void {
    if (this.ended) return;
    if (this.inputPending) this.takeInput();
    // Each stream leaves its set before it is called: a handler that resumes or writes again (a 'drain' listener) puts it back.
    for (const stream of this.toRead) {
      this.toRead.delete(stream);
      stream.pull(scratch);
    }
    for (const stream of this.toPush) {
      this.toPush.delete(stream);
      if (stream.push()) this.blocked.add(stream);
    }
    this.unsentBidi = 0;
    this.unsentUni = 0;
    this.sendPackets();
    this.arm();
    if (this.native.isClosed()) this.finish();
    // What this flush did itself (a handler's write while reading) marked it dirty again: nothing is left for a second flush.
    else if (this.toRead.size === 0 && this.toPush.size === 0 && !this.inputPending) dirty.delete(this);
  }

  private sendPackets(): void {
    const size = this.options.maxDatagramSize;
    for (;;) {
      if (SLAB_SIZE - slabAt < size) {
        slab = Buffer.allocUnsafe(SLAB_SIZE);
        slabAt = 0;
      }
      // Most flushes end with a call that writes nothing: the view of the free space is kept for the next one.
      if (free === undefined || free.length !== size || free.byteOffset !== slab.byteOffset + slabAt || free.buffer !== slab.buffer) free = slab.subarray(slabAt, slabAt + size);
      let sent: ReturnType<NativeConnection['send']>;
      try {
        sent = this.native.send(free);
      } catch {
        return;
      }
      if (sent === null) return;
      const [length, info] = sent;
      const datagram = free.subarray(0, length);
      free = undefined;
      // Keep the next datagram 8-byte aligned.
      slabAt += (length + 7) & ~7;
      this.options.send(datagram, info.to);
    }
  }

  private schedule(): void {
    if (this.ended) return;
    dirty.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushAll);
    }
  }

  /** Marks the connection for a flush that reads what the datagrams of this turn brought. */
  private afterInput(): void {
    this.inputPending = true;
    this.schedule();
  }

  /** What arrived since the last flush: the handshake's end, stream data, credit for blocked streams. */
  private takeInput(): void {
    this.inputPending = false;
    if (!this.established && !this.refused && this.native.isEstablished() && !this.native.isClosed()) this.establish();
    if (this.established && !this.ended && this.native.isReadable()) this.readStreams();
    if (this.blocked.size !== 0) this.unblock();
  }

  /**
   * Reads every stream with data. Iterating quiche's `readable()` through
   * the binding costs about 14 µs (more than decrypting a packet), against
   * 0.3 µs for asking one stream: a connection with few streams asks each,
   * request streams first (the peer's control and QPACK streams rarely
   * carry anything after SETTINGS), stops as soon as quiche has nothing
   * left, and iterates only when quiche still has data for a stream not
   * asked (one the peer just opened, or a paused one).
   */
  private readStreams(): void {
    if (this.streams.size <= SCAN_LIMIT && (this.scan(false) || this.scan(true))) return;
    for (const id of this.native.readable()) {
      if (this.ended) return;
      const stream = this.streams.get(id) ?? this.peerStream(id);
      if (stream !== undefined && !stream.isPaused) stream.pull(scratch);
    }
  }

  /** Reads the open streams of one kind that have data; true once quiche holds nothing more to read. */
  private scan(unidirectional: boolean): boolean {
    for (const stream of this.streams.values()) {
      if ((stream.id & 0x2) !== 0 ? !unidirectional : unidirectional) continue;
      if (stream.readEnded || stream.isPaused || !this.native.streamReadable(stream.id)) continue;
      stream.pull(scratch);
      if (this.ended !== undefined || !this.native.isReadable()) return true;
    }
    return this.ended !== undefined;
  }

  private establish(): void {
    const verify = this.options.verify;
    if (verify !== undefined && !verify(this.native.peerCertChain() ?? [])) {
      this.refused = true;
      this.close(false, BAD_CERTIFICATE, 'bad certificate');
      return;
    }
    this.established = true;
    if (this.options.keepAliveInterval > 0) {
      this.keepAlive = setInterval(() => {
        this.native.sendAckEliciting();
        this.flush();
      }, this.options.keepAliveInterval);
      this.keepAlive.unref();
    }
    this.emit('established');
  }

  /**
   * A stream the peer opened (RFC 9000 §2.1: ids of a type are opened in
   * order), or undefined for one already gone. While nobody listens for
   * streams (a client's HTTP/3 layer attaches a moment after the
   * handshake), a new stream stays unread in quiche: `readWaiting` reads it
   * once someone listens.
   */
  private peerStream(id: number): QuicStream | undefined {
    if ((id & 0x1) === (this.isServer ? 1 : 0) || this.listenerCount('stream') === 0) return undefined;
    if (!this.peerIds.claim(id)) return undefined;
    const stream = new QuicStream(id, this);
    this.streams.set(id, stream);
    this.emit('stream', stream);
    return stream;
  }

  /** Streams that waited for credit and have some now (asked one by one: iterating quiche's `writable()` costs about 20 µs). */
  private unblock(): void {
    for (const stream of this.blocked) {
      let capacity: number;
      try {
        capacity = this.native.streamCapacity(stream.id);
      } catch {
        // Stopped by the peer, or gone: push() finds out and reports it.
        capacity = 1;
      }
      if (capacity > 0) {
        this.blocked.delete(stream);
        this.toPush.add(stream);
      }
    }
  }

  private arm(): void {
    const timeout = this.native.timeout();
    if (timeout === null) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    const at = Date.now() + timeout;
    // An earlier deadline than the armed one re-arms; a later one waits for the armed timer, which then looks again.
    if (this.timer !== undefined && at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.fire, Math.max(0, timeout));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.ended) return;
    // quiche's onTimeout acts only on timers that expired, so an early call is harmless.
    this.native.onTimeout();
    this.inputPending = true;
    try {
      this.flush();
    } catch (error) {
      this.flushAgain();
      throw error;
    }
  };

  /** A flush that a handler's exception cut short: the rest next turn. */
  flushAgain(): void {
    this.schedule();
  }

  private sweep(): void {
    for (const id of this.lingering) if (collected(this.native, id)) this.lingering.delete(id);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = closeInfo(this.native);
    clearTimeout(this.timer);
    clearInterval(this.keepAlive);
    dirty.delete(this);
    const error = new Error('the QUIC connection closed');
    for (const stream of this.streams.values()) stream.fail(error);
    this.streams.clear();
    this.toRead.clear();
    this.toPush.clear();
    this.blocked.clear();
    this.lingering.clear();
    this.emit('close', this.ended);
  }
}

/** How a connection ended, in words: "timed out idle", "was closed by the peer with application code 0x100: why". */
export function closeText(info: QuicCloseInfo): string {
  if (info.by === 'idle') return 'timed out idle';
  const code = `${info.isApp ? 'application' : 'transport'} code 0x${info.code.toString(16)}`;
  const tls = !info.isApp && info.code >= 0x100 && info.code <= 0x1ff ? ` (TLS alert ${info.code - 0x100})` : '';
  return `was closed ${info.by === 'peer' ? 'by the peer' : 'here'} with ${code}${tls}${info.reason ? `: ${info.reason}` : ''}`;
}

function closeInfo(native: NativeConnection): QuicCloseInfo {
  if (native.isTimedOut()) return { by: 'idle', isApp: false, code: 0, reason: '' };
  const local = native.localError();
  if (local) return describe('local', local);
  const peer = native.peerError();
  if (peer) return describe('peer', peer);
  return { by: 'local', isApp: false, code: 0, reason: '' };
}

function describe(by: 'local' | 'peer', error: NativeConnectionError): QuicCloseInfo {
  return { by, isApp: error.isApp, code: error.errorCode, reason: Buffer.from(error.reason ?? []).toString('utf8') };
}

/** quiche collects a stream once both directions are complete; after that it knows no such stream (InvalidStreamState). */
function collected(native: NativeConnection, id: number): boolean {
  try {
    native.streamCapacity(id);
    return false;
  } catch (error) {
    return !String((error as Error)?.message).startsWith('StreamStopped');
  }
}
