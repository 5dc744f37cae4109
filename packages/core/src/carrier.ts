/**
 * A Carrier is a byte pipe under one WebSocket: a TCP or TLS socket after an
 * HTTP/1.1 upgrade, an HTTP/2 stream after extended CONNECT, an HTTP/3 stream.
 * It is the one thing a transport implements; the connection drives the
 * protocol over it.
 */

export type Transport = 'http/1.1' | 'h2' | 'h3';

/** What a carrier reports, in order. */
export interface CarrierEvents {
  /** Bytes from the peer. The connection owns the chunk from now on. */
  data(chunk: Buffer): void;
  /** The peer ended its sending side gracefully (TCP FIN, END_STREAM, QUIC FIN). */
  end(): void;
  /** The buffered amount fell below the high-water mark after `write` returned false. */
  drain(): void;
  /** Both directions are gone. `error` is set when the carrier failed or was aborted. */
  close(error?: Error): void;
}

export interface Carrier {
  readonly transport: Transport;
  /**
   * True where each direction ends on its own (HTTP/2 END_STREAM, HTTP/3
   * FIN): the write side ends right after the close frame. False for TCP,
   * where the server closes the connection once the closing handshake is
   * done and a client waits for that (RFC 6455 §7.1.1).
   */
  readonly endsAfterCloseFrame: boolean;
  /** Bytes written but not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Starts reporting to `events`; called once, before anything else. */
  attach(events: CarrierEvents): void;
  /**
   * Queues bytes, in order. Returns false when the buffered amount reached
   * the carrier's high-water mark; `drain` follows once it falls below.
   */
  write(chunks: readonly Buffer[]): boolean;
  /**
   * Calls back once every byte written so far has been handed to the
   * network (the kernel's socket, the HTTP/2 session, QUIC), never
   * synchronously, and not at all if the carrier closes first: what
   * `bufferedAmount` counted of them is gone. Optional: without it the
   * connection takes bytes the carrier accepted as handed over.
   */
  whenFlushed?(callback: () => void): void;
  /** Ends the write side gracefully after everything written. */
  end(): void;
  /** Tears both directions down at once (TCP reset, RST_STREAM(CANCEL), RESET_STREAM). */
  abort(error?: Error): void;
  /** Stops reading from the peer (backpressure); `resume` starts again. */
  pause(): void;
  resume(): void;
}
