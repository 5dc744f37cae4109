/**
 * The QUIC transport settings of this package's endpoints (RFC 9000 §18.2),
 * as @matrixai/quic takes them. Its own defaults do not suit a server: no
 * idle timeout at all (a half-open handshake lives forever, README quirk J)
 * and 4 KiB read chunks.
 */
import type { QUICConfig } from '@matrixai/quic';

export interface Http3Tuning {
  /** Milliseconds without a packet before the QUIC connection is dropped (max_idle_timeout). Default 30 000. */
  maxIdleTimeout?: number;
  /** Milliseconds between QUIC PINGs that keep a quiet connection alive; 0 for none. Default 10 000 (below maxIdleTimeout). */
  keepAliveInterval?: number;
  /**
   * Largest UDP payload sent and received (max_udp_payload_size). Default
   * 1350, safe on any path. On loopback a larger value (e.g. 16 KiB) cuts
   * the per-datagram cost of the library, which dominates its throughput.
   */
  maxUdpPayloadSize?: number;
  /** Flow-control credit per stream (initial_max_stream_data_*). Default 1 MiB. */
  streamWindow?: number;
  /** Flow-control credit per connection (initial_max_data). Default 16 MiB. */
  connectionWindow?: number;
  /** Request streams (WebSockets) the peer may have open at once (initial_max_streams_bidi). Default 100. */
  maxStreams?: number;
}

export const DEFAULT_MAX_IDLE_TIMEOUT = 30_000;
export const DEFAULT_KEEPALIVE_INTERVAL = 10_000;
export const DEFAULT_MAX_UDP_PAYLOAD_SIZE = 1350;
export const DEFAULT_STREAM_WINDOW = 1024 * 1024;
export const DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024;
export const DEFAULT_MAX_STREAMS = 100;

/** RFC 9114 §6.2: the peer must be allowed at least its control and two QPACK streams; a few more for extensions. */
const MAX_UNI_STREAMS = 16;

export function quicConfig(tuning: Http3Tuning): Partial<QUICConfig> {
  const maxIdleTimeout = tuning.maxIdleTimeout ?? DEFAULT_MAX_IDLE_TIMEOUT;
  const keepAlive = tuning.keepAliveInterval ?? Math.min(DEFAULT_KEEPALIVE_INTERVAL, Math.floor(maxIdleTimeout / 2));
  const udp = tuning.maxUdpPayloadSize ?? DEFAULT_MAX_UDP_PAYLOAD_SIZE;
  const streamWindow = tuning.streamWindow ?? DEFAULT_STREAM_WINDOW;
  return {
    applicationProtos: ['h3'],
    maxIdleTimeout,
    ...(keepAlive > 0 ? { keepAliveIntervalTime: keepAlive } : {}),
    maxSendUdpPayloadSize: udp,
    maxRecvUdpPayloadSize: udp,
    initialMaxData: tuning.connectionWindow ?? DEFAULT_CONNECTION_WINDOW,
    initialMaxStreamDataBidiLocal: streamWindow,
    initialMaxStreamDataBidiRemote: streamWindow,
    initialMaxStreamDataUni: 64 * 1024,
    initialMaxStreamsBidi: tuning.maxStreams ?? DEFAULT_MAX_STREAMS,
    initialMaxStreamsUni: MAX_UNI_STREAMS,
    // One chunk per read of the stream: large enough that a busy WebSocket is not cut into 4 KiB pieces.
    readableChunkSize: 64 * 1024,
  };
}
