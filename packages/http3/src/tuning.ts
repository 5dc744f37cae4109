/**
 * The QUIC transport settings of this package's endpoints (RFC 9000 §18.2).
 * quiche's own default idle timeout is none at all, so a half-open
 * handshake would live forever: ours is always set.
 */

export interface Http3Tuning {
  /** Milliseconds without a packet before the QUIC connection is dropped (max_idle_timeout). Default 30 000. */
  maxIdleTimeout?: number;
  /** Milliseconds between QUIC PINGs that keep a quiet connection alive; 0 for none. Default 10 000 (below maxIdleTimeout). */
  keepAliveInterval?: number;
  /**
   * Largest UDP payload sent and received (max_udp_payload_size). Default
   * 1350, safe on any path. On loopback a larger value (e.g. 16 KiB) means
   * fewer datagrams, each of which costs a system call.
   */
  maxUdpPayloadSize?: number;
  /** Flow-control credit per stream (initial_max_stream_data_*). Default 1 MiB. */
  streamWindow?: number;
  /** Flow-control credit per connection (initial_max_data). Default 16 MiB. */
  connectionWindow?: number;
  /**
   * Bytes a QUIC connection may receive before it takes no new WebSockets:
   * the server sends GOAWAY, the client's pool opens a new connection, and
   * the WebSockets open on it go on. quiche 0.18 never gives back the
   * connection credit of data it dropped for a stream the peer reset (data
   * unread, or lost in transit), and past the initial credit its window can
   * be as small as 48 KiB, so a long-lived connection could stall for good;
   * retired at a quarter of `connectionWindow` (the server's default), its
   * open WebSockets keep the other three quarters. Infinity keeps
   * connections for new WebSockets however much they carried, which is the
   * default of a client's `SessionPool`.
   */
  receiveBudget?: number;
  /** Request streams (WebSockets) the peer may have open at once (initial_max_streams_bidi). Default 100. */
  maxStreams?: number;
  /**
   * Bytes asked of the kernel for each UDP socket's receive and send
   * buffers; 0 keeps the system's default. Default 4 MiB. Linux caps it at
   * net.core.rmem_max and wmem_max (raise those with sysctl for more).
   */
  udpBufferSize?: number;
}

export const DEFAULT_MAX_IDLE_TIMEOUT = 30_000;
export const DEFAULT_KEEPALIVE_INTERVAL = 10_000;
export const DEFAULT_MAX_UDP_PAYLOAD_SIZE = 1350;
export const DEFAULT_STREAM_WINDOW = 1024 * 1024;
export const DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024;
export const DEFAULT_MAX_STREAMS = 100;
export const DEFAULT_UDP_BUFFER_SIZE = 4 * 1024 * 1024;

/** RFC 9114 §6.2: the peer must be allowed at least its control and two QPACK streams; a few more for extensions. */
const MAX_UNI_STREAMS = 16;

/** The transport settings of one endpoint, all set. */
export interface QuicSettings {
  maxIdleTimeout: number;
  keepAliveInterval: number;
  maxUdpPayloadSize: number;
  streamWindow: number;
  connectionWindow: number;
  maxStreams: number;
  maxUniStreams: number;
  udpBufferSize: number;
  /** Streams a peer may reset before their end until its connection takes no new ones (QuicConnectionOptions.resetBudget). */
  resetBudget: number;
  /** Bytes a connection may receive until it takes no new streams (QuicConnectionOptions.receiveBudget). */
  receiveBudget: number;
}

export function quicSettings(tuning: Http3Tuning): QuicSettings {
  const maxIdleTimeout = tuning.maxIdleTimeout ?? DEFAULT_MAX_IDLE_TIMEOUT;
  const streamWindow = tuning.streamWindow ?? DEFAULT_STREAM_WINDOW;
  const connectionWindow = tuning.connectionWindow ?? DEFAULT_CONNECTION_WINDOW;
  return {
    maxIdleTimeout,
    keepAliveInterval: tuning.keepAliveInterval ?? Math.min(DEFAULT_KEEPALIVE_INTERVAL, Math.floor(maxIdleTimeout / 2)),
    maxUdpPayloadSize: tuning.maxUdpPayloadSize ?? DEFAULT_MAX_UDP_PAYLOAD_SIZE,
    streamWindow,
    connectionWindow,
    maxStreams: tuning.maxStreams ?? DEFAULT_MAX_STREAMS,
    maxUniStreams: MAX_UNI_STREAMS,
    udpBufferSize: tuning.udpBufferSize ?? DEFAULT_UDP_BUFFER_SIZE,
    // Each such reset may cost up to a stream window of connection credit: half the connection window is the most risked.
    resetBudget: Math.max(1, Math.floor(connectionWindow / 2 / streamWindow)),
    receiveBudget: tuning.receiveBudget ?? connectionWindow / 4,
  };
}
