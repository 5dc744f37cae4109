/**
 * One QUIC connection (RFC 9000) driven over quiche's native `Connection`:
 * datagrams in (`receive`), datagrams out (`flush`, once per event-loop
 * turn for everything that turn did), one timer from quiche's `timeout()`
 * (loss detection, ACK delay, idle timeout: RFC 9002, RFC 9000 §10.1), and
 * the streams (stream.ts) that ride it. The turn's flush is scheduled in
 * flush-scheduler.ts, its packets leave through send-datagrams.ts, the timer
 * is quiche-timer.ts, and stream-reading.ts finds the streams with data.
 *
 * Everything runs synchronously inside the socket's callback or the timer:
 * no promise, lock or event object per datagram.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import { closeInfo, type QuicCloseInfo } from './close-info.js';
import { scheduleFlush, unscheduleFlush } from './flush-scheduler.js';
import type { NativeConnection } from './binding.js';
import type { HostPort } from './address.js';
import { OurStreamIds } from './our-stream-ids.js';
import { PeerStreamIds } from './peer-streams.js';
import { QuicheTimer } from './quiche-timer.js';
import { sendDatagrams } from './send-datagrams.js';
import { readStreams, scratch, type ReadingConnection } from './stream-reading.js';
import { collected, QuicStream, type StreamOwner } from './stream.js';

export { closeText, type QuicCloseInfo } from './close-info.js';

export interface QuicConnectionEvents {
  /** The handshake completed (and, on a client, the certificate check passed). */
  established: [];
  /** The peer opened a stream. */
  stream: [stream: QuicStream];
  /** The connection is over: quiche closed it, or it timed out idle. */
  close: [info: QuicCloseInfo];
  /** The connection's receive credit may run short (`resetBudget`, `receiveBudget`): move new streams to another connection. */
  creditLow: [];
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
  /**
   * How many streams the peer may reset before we read them to their end
   * until 'creditLow' is emitted (once). quiche 0.18 keeps the
   * connection-level credit (RFC 9000 §4.1) of the data such a stream
   * announced and we never read (newer quiche gives it back), up to a
   * stream window each. Past the initial credit quiche's window restarts
   * at 48 KiB and grows only with the streams' windows and while it
   * grants credit at all, so a little kept credit can stall every stream
   * of the connection. The driver reads each datagram's data at once, which
   * leaves only a paused stream's data and data still in flight to lose
   * this way. Default: Infinity.
   */
  resetBudget?: number;
  /**
   * How many bytes of datagrams may arrive until 'creditLow' is emitted
   * (once). What quiche 0.18 keeps of the connection's credit (above) can
   * be no more than what arrived, so a connection retired at a quarter of
   * its initial credit leaves its open streams the rest, however little
   * quiche's window has grown since. Default: Infinity.
   */
  receiveBudget?: number;
  /** Checks the peer's certificate chain (DER, leaf first): why it is not trusted, or undefined. */
  verify?: (chain: Uint8Array[]) => string | undefined;
}

/** TLS alert bad_certificate (42) as a QUIC crypto error (RFC 9001 §4.8). */
export const BAD_CERTIFICATE = 0x100 + 42;

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
  /** The size of `lingering` at which `done` sweeps it next. */
  private sweepAt = MIN_SWEEP;
  private readonly options: QuicConnectionOptions;
  private readonly ourIds: OurStreamIds;
  private readonly peerIds = new PeerStreamIds();
  /** What the reading pass (stream-reading.ts) sees of this connection. */
  private readonly reading: ReadingConnection;
  /** Datagrams arrived since the last flush: streams to read, blocked ones to retry. */
  private inputPending = false;
  private readonly timer: QuicheTimer;
  private keepAlive: NodeJS.Timeout | undefined;
  private established = false;
  /** Client: the certificate check failed; the connection is closing. */
  private refused = false;
  private ended: QuicCloseInfo | undefined;
  /** Streams the peer reset before we read them to their end (see `resetBudget`). */
  private peerResets = 0;
  /** Bytes of the datagrams received (see `receiveBudget`). */
  private received = 0;
  private creditLow = false;
  private recvInfo: { from: HostPort; to: HostPort };

  constructor(options: QuicConnectionOptions) {
    super();
    this.options = options;
    this.native = options.native;
    this.isServer = options.isServer;
    this.local = options.local;
    this.remote = options.remote;
    this.recvInfo = { from: options.remote, to: options.local };
    this.ourIds = new OurStreamIds(options.isServer);
    this.reading = { native: this.native, streams: this.streams, ended: () => this.ended !== undefined, peerStream: (id) => this.peerStream(id) };
    this.timer = new QuicheTimer(this.native, () => this.expired());
  }

  get isEstablished(): boolean {
    return this.established;
  }

  /** A datagram from the peer. */
  receive(datagram: Buffer, from: HostPort): void {
    if (this.ended) return;
    this.received += datagram.length;
    if (this.received >= (this.options.receiveBudget ?? Infinity)) this.lowOnCredit();
    // The same path as last time (always, with migration disabled): the same object for quiche to read.
    if (from.port !== this.recvInfo.from.port || from.host !== this.recvInfo.from.host) this.recvInfo = { from, to: this.local };
    try {
      this.native.recv(datagram, this.recvInfo);
    } catch {
      // quiche dropped the datagram, or failed the connection and queued its CONNECTION_CLOSE: flush sends it, and the close follows.
    }
    // Read now, not at the turn's flush: a RESET_STREAM in a later datagram of the same turn would make quiche drop what it
    // holds for that stream without counting it consumed, and quiche 0.18 never gives that connection credit back.
    if (this.established && !this.ended && this.native.isReadable()) readStreams(this.reading);
    this.afterInput();
  }

  /** Reads the streams that arrived while nobody listened for 'stream'. */
  readWaiting(): void {
    if (this.established && !this.ended) this.afterInput();
  }

  /** Opens a stream of ours; throws StreamLimitError when the peer allows no more (RFC 9000 §4.6). */
  openStream(kind: 'bidi' | 'uni'): QuicStream {
    if (this.ended) throw new Error('the QUIC connection is closed');
    const id = this.ourIds.next(kind, this.native);
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

  peerReset(): void {
    if (++this.peerResets >= (this.options.resetBudget ?? Infinity)) this.lowOnCredit();
  }

  private lowOnCredit(): void {
    if (this.creditLow) return;
    this.creditLow = true;
    this.emit('creditLow');
  }

  done(stream: QuicStream): void {
    if (this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    // A long-lived connection sees many streams come and go: forget those quiche has already collected. Streams still
    // waiting for acknowledgements stay, so the next sweep waits until the set has doubled (one sweep per stream cost
    // a native call per lingering stream for every request of a busy connection).
    if (this.lingering.size >= this.sweepAt) {
      this.sweep();
      this.sweepAt = Math.max(MIN_SWEEP, this.lingering.size * 2);
    }
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
    this.ourIds.flushed();
    sendDatagrams(this.native, this.options);
    this.timer.arm();
    if (this.native.isClosed()) this.finish();
    // What this flush did itself (a handler's write while reading) marked it dirty again: nothing is left for a second flush.
    else if (this.toRead.size === 0 && this.toPush.size === 0 && !this.inputPending) unscheduleFlush(this);
  }

  private schedule(): void {
    if (this.ended) return;
    scheduleFlush(this);
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
    if (this.established && !this.ended && this.native.isReadable()) readStreams(this.reading);
    if (this.blocked.size !== 0) this.unblock();
  }

  private establish(): void {
    const verify = this.options.verify;
    const untrusted = verify?.(this.native.peerCertChain() ?? []);
    if (untrusted !== undefined) {
      this.refused = true;
      this.close(false, BAD_CERTIFICATE, untrusted);
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

  /** quiche's timer fired. */
  private expired(): void {
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
  }

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
    this.timer.stop();
    clearInterval(this.keepAlive);
    unscheduleFlush(this);
    // The layer above hears first and fails its streams with why the connection ended (a GOAWAY before, or its close
    // code); what is left gets the plain fact.
    this.emit('close', this.ended);
    const error = new Error('the QUIC connection closed');
    for (const stream of this.streams.values()) stream.fail(error);
    this.streams.clear();
    this.toRead.clear();
    this.toPush.clear();
    this.blocked.clear();
    this.lingering.clear();
  }
}

/** The fewest lingering streams worth a sweep. */
const MIN_SWEEP = 64;
