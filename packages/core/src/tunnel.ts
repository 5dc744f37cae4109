/**
 * A WebSocket after its handshake with the protocol left out: the carrier's
 * bytes, unparsed, both ways. The byte stream of a WebSocket is its frames
 * (RFC 6455 §5), the same over HTTP/1.1, HTTP/2 (RFC 8441 §5) and HTTP/3
 * (RFC 9220 §3), so two tunnels piped into each other relay a WebSocket
 * between transports frame for frame: each end sees the other's frames
 * exactly, masking, extensions and protocol errors included. wstack bridge
 * does that; nothing else needs it.
 */
import { EventEmitter } from 'node:events';
import type { Carrier, CarrierEvents, Transport } from './carrier.js';
import type { Negotiated } from './connection-types.js';

export interface TunnelEvents {
  /** Bytes from the peer, as they came. */
  data: [chunk: Buffer];
  /** The peer ended its sending side (TCP FIN, END_STREAM, QUIC FIN). */
  end: [];
  /** `write` returned false earlier and the buffered amount has fallen below the high-water mark. */
  drain: [];
  /** Both directions are gone; `error` when the carrier failed or was aborted. */
  close: [error?: Error];
}

export class Tunnel extends EventEmitter<TunnelEvents> {
  readonly transport: Transport;
  /** The subprotocol the handshake settled, '' for none. */
  readonly protocol: string;
  /** The `Sec-WebSocket-Extensions` value the handshake settled, '' for none; the ends apply it, not the tunnel. */
  readonly extensions: string;
  readonly path: string;
  /** The peer's handshake fields, names in lower case. */
  readonly headers: Readonly<Record<string, string | string[] | number | undefined>>;
  private isClosed = false;

  constructor(
    private readonly carrier: Carrier,
    negotiated: Negotiated = {},
  ) {
    super();
    this.transport = carrier.transport;
    this.protocol = negotiated.protocol ?? '';
    this.extensions = negotiated.extensions ?? '';
    this.path = negotiated.path ?? '';
    this.headers = negotiated.headers ?? {};
    const events: CarrierEvents = {
      data: (chunk) => this.emit('data', chunk),
      end: () => this.emit('end'),
      drain: () => this.emit('drain'),
      close: (error) => {
        this.isClosed = true;
        this.emit('close', error);
      },
    };
    carrier.attach(events);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get bufferedAmount(): number {
    return this.carrier.bufferedAmount;
  }

  /** Queues bytes for the peer; false when the buffered amount reached the high-water mark (wait for 'drain'). */
  write(chunk: Buffer): boolean {
    return this.carrier.write([chunk]);
  }

  /** Ends the sending side after everything written. */
  end(): void {
    this.carrier.end();
  }

  /** Tears both directions down at once. */
  abort(error?: Error): void {
    this.carrier.abort(error);
  }

  /** Stops reading from the peer; `resume` starts again. */
  pause(): void {
    this.carrier.pause();
  }

  resume(): void {
    this.carrier.resume();
  }
}

/** Pipes two tunnels into each other with backpressure: bytes, ends and aborts cross over. */
export function pipeTunnels(a: Tunnel, b: Tunnel): void {
  const oneWay = (from: Tunnel, to: Tunnel) => {
    from.on('data', (chunk) => {
      if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => from.resume());
    from.on('end', () => to.end());
    // A failed or aborted side takes the other down with it; a clean one has ended it already, or ends it now.
    from.on('close', (error) => {
      if (to.closed) return;
      if (error === undefined) to.end();
      else to.abort(error);
    });
  };
  oneWay(a, b);
  oneWay(b, a);
}
