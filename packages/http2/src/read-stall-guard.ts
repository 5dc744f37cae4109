/**
 * node:http2 stops reading a session's socket while one of its own socket
 * writes is pending, and reads again only once that write completes
 * (Http2Session::MaybeStopReading in Node's node_http2.cc: a peer that sends
 * without reading must not make it queue answers without end). When both
 * ends of a session are node:http2 and both have more to send than the
 * kernel buffers between them hold, as with WebSocket echo at volume, each
 * waits for the other to read and neither ever does: the session stalls
 * for good, every stream of it (plain node:http2 streams do the same).
 *
 * The connection window (tuning.ts) keeps what one side can have unread
 * below what loopback buffers hold, but nothing guarantees that. So while a
 * session carries WebSockets, this guard looks at its socket every
 * `interval`: a pending write that has not moved for a whole interval means
 * the peer may be waiting on us, and reading is started again. Reading while
 * a write pends costs nothing in memory that a peer controls: the DATA it
 * can send is bounded by our flow-control windows (RFC 9113 §5.2) and the
 * frames nghttp2 must answer by its own flood limits.
 */
import type { Http2Session } from 'node:http2';

/** The native handle under a socket; node:http2 reads and writes through it. */
interface SocketHandle {
  writeQueueSize?: number;
  readStart?(): number;
}

export const READ_STALL_INTERVAL = 50;

export class ReadStallGuard {
  private timer: NodeJS.Timeout | undefined;
  private lastQueued = 0;

  constructor(
    private readonly session: Http2Session,
    private readonly interval = READ_STALL_INTERVAL,
  ) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.lastQueued = 0;
    this.timer = setInterval(() => this.tick(), this.interval);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.session.destroyed) return this.stop();
    const handle = (this.session.socket as unknown as { _handle?: SocketHandle | null })._handle;
    const queued = handle?.writeQueueSize ?? 0;
    if (queued !== 0 && queued === this.lastQueued && handle?.readStart !== undefined) {
      handle.readStart();
    }
    this.lastQueued = queued;
  }
}
