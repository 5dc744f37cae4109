/**
 * How an HTTP/2 session is sized for WebSockets: flow-control windows, the
 * memory node:http2 lets a session commit, and how many bytes of one stream
 * are handed to node:http2 at a time. Servers and clients use the same
 * numbers. The reasoning behind each default is next to it.
 */
import type { ClientHttp2Session, ServerHttp2Session, Settings } from 'node:http2';
import type { OptionNames } from '@wstack/core';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface Http2Tuning {
  /**
   * SETTINGS_INITIAL_WINDOW_SIZE (RFC 9113 §6.5.2): bytes the peer may send
   * on one stream before we have read them. Default 256 KiB.
   */
  streamWindowSize?: number;
  /** The receive window of the whole connection (RFC 9113 §6.9.2). Default 2 MiB. */
  connectionWindowSize?: number;
  /** SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §6.5.2): WebSockets (and requests) one session carries at once. Default 1000. */
  maxConcurrentStreams?: number;
  /**
   * node:http2's `maxSessionMemory`, in megabytes: above it a session
   * refuses new streams with RST_STREAM(ENHANCE_YOUR_CALM). Default 128.
   */
  maxSessionMemory?: number;
  /**
   * Bytes of one stream handed to node:http2 whose write has not completed
   * yet: a chunk is handed over while less than this is in flight, in
   * pieces of at most this size, so under twice this at once; the rest
   * waits in the carrier (and counts in `bufferedAmount`). Default 64 KiB.
   */
  maxBytesInFlight?: number;
  /**
   * Milliseconds between HTTP/2 PINGs on a session while it carries
   * WebSockets; a session that leaves one unanswered for as long is
   * destroyed. 0 turns it off. Default 30 s.
   */
  sessionPingInterval?: number;
}

/** The names of Http2Tuning, for the option checks of the server. */
export const TUNING_OPTION_NAMES: OptionNames<Http2Tuning> = {
  streamWindowSize: true,
  connectionWindowSize: true,
  maxConcurrentStreams: true,
  maxSessionMemory: true,
  maxBytesInFlight: true,
  sessionPingInterval: true,
};

/**
 * Per stream, 256 KiB. Throughput of one stream is at most window / RTT
 * (measured through a 20 ms RTT proxy: 64 KiB → 2.8 MiB/s, 256 KiB → 9.5
 * MiB/s, 1 MiB → 34 MiB/s). The window is also what a peer can make us hold
 * for a stream whose reader paused (node:http2 credits a stream only as it is
 * read), so it is bounded per stream: 256 KiB, twice the connection's default
 * 128 KiB high-water mark, keeps a reader that drains its buffer from ever
 * waiting on credit at LAN latencies, and 1000 paused streams cost 250 MiB at
 * most instead of 1 GiB with a 1 MiB window.
 */
export const DEFAULT_STREAM_WINDOW_SIZE = 256 * KiB;

/**
 * For the connection, 2 MiB. node:http2 credits the connection window as
 * soon as bytes are read from the socket, whether a stream reads them or
 * not, so this window bounds no memory of ours; what it bounds is how much
 * the peer can have sent that we have not read yet. That matters because
 * node:http2 stops reading while one of its socket writes is pending: two
 * node:http2 ends that each have more unread bytes in flight than the
 * kernel buffers between them hold stall each other (read-stall-guard.ts).
 * With 256 WebSockets echoing 64 KiB messages on one loopback session, 8
 * and 16 MiB windows stalled at once, 1 to 4 MiB never; their throughput was
 * the same within the noise. The HTTP/2 default (65,535 bytes) would cap
 * every stream of a session together at 64 KiB per round trip; 2 MiB lets 8
 * streams use their whole window at once, 100 MiB/s per session at a 20 ms
 * round trip.
 */
export const DEFAULT_CONNECTION_WINDOW_SIZE = 2 * MiB;

/**
 * 1000 streams per session: more WebSockets than a browser page opens to
 * one origin, and a bound on what one client can hold open. node:http2's own
 * default is 2^32 - 1, i.e. none.
 */
export const DEFAULT_MAX_CONCURRENT_STREAMS = 1000;

/**
 * node:http2 counts in a session's memory the bytes queued on its streams
 * for sending and the socket reads whose DATA a stream has not consumed; at
 * the default of 10 MB, 256 streams with 64 KiB in flight each get
 * RST_STREAM(ENHANCE_YOUR_CALM). A busy WebSocket stream holds under
 * twice `maxBytesInFlight` (128 KiB) to send and one stream window (256 KiB)
 * of received bytes: 256 busy streams need 96 MiB, and 128 MB leaves room for
 * nghttp2's own tables and header blocks. The limit only refuses new streams
 * while it is exceeded; existing ones go on.
 */
export const DEFAULT_MAX_SESSION_MEMORY = 128;

/**
 * 64 KiB handed to node:http2 per stream at a time: a single stream reaches
 * the same loopback throughput as with unbounded writes (about 500 MiB/s;
 * 16 KiB pieces give half of that), and a 16 MiB message no longer sits in
 * the session's memory all at once.
 */
export const DEFAULT_MAX_BYTES_IN_FLIGHT = 64 * KiB;

/**
 * 30 s between PINGs: a hung session (see session-keepalive.ts) or a dead
 * peer is found within a minute, for one 17-byte frame each way per
 * interval, and only on sessions that carry WebSockets.
 */
export const DEFAULT_SESSION_PING_INTERVAL = 30_000;

export interface ResolvedTuning {
  streamWindowSize: number;
  connectionWindowSize: number;
  maxConcurrentStreams: number;
  maxSessionMemory: number;
  maxBytesInFlight: number;
  sessionPingInterval: number;
}

export function resolveTuning(tuning: Http2Tuning = {}): ResolvedTuning {
  return {
    streamWindowSize: tuning.streamWindowSize ?? DEFAULT_STREAM_WINDOW_SIZE,
    connectionWindowSize: tuning.connectionWindowSize ?? DEFAULT_CONNECTION_WINDOW_SIZE,
    maxConcurrentStreams: tuning.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS,
    maxSessionMemory: tuning.maxSessionMemory ?? DEFAULT_MAX_SESSION_MEMORY,
    maxBytesInFlight: tuning.maxBytesInFlight ?? DEFAULT_MAX_BYTES_IN_FLIGHT,
    sessionPingInterval: tuning.sessionPingInterval ?? DEFAULT_SESSION_PING_INTERVAL,
  };
}

/**
 * The SETTINGS a server sends: extended CONNECT on (RFC 8441 §3), the
 * stream window and the stream limit.
 */
export function serverSettings(tuning: ResolvedTuning): Settings {
  return {
    enableConnectProtocol: true,
    initialWindowSize: tuning.streamWindowSize,
    maxConcurrentStreams: tuning.maxConcurrentStreams,
  };
}

/** The SETTINGS a client sends. A client never accepts CONNECT, so it does not enable it. */
export function clientSettings(tuning: ResolvedTuning): Settings {
  return { initialWindowSize: tuning.streamWindowSize, enablePush: false };
}

/** Widens the connection's receive window; SETTINGS cannot (RFC 9113 §6.9.2), only a WINDOW_UPDATE on stream 0 can. */
export function widenConnectionWindow(session: ServerHttp2Session | ClientHttp2Session, tuning: ResolvedTuning): void {
  if (session.destroyed) return;
  const current = session.state.localWindowSize ?? 65_535;
  if (tuning.connectionWindowSize > current) session.setLocalWindowSize(tuning.connectionWindowSize);
}
