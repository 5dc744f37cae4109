/**
 * The send path: each call of quiche's `send()` writes one datagram, which
 * goes to the socket; calls go on until quiche has nothing more to send.
 *
 * Datagrams are written straight into a slab, each into space never used
 * before, and handed to the socket as views: the socket may send them
 * after this turn, so no space is written twice.
 */
import { Buffer } from 'node:buffer';
import type { NativeConnection } from './binding.js';
import type { HostPort } from './address.js';

/** Where the datagrams go: the connection's options. */
export interface DatagramSink {
  /** Largest datagram quiche may write (its max_send_udp_payload_size). */
  maxDatagramSize: number;
  /** Sends one datagram. */
  send(datagram: Buffer, to: HostPort): void;
}

const SLAB_SIZE = 512 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabAt = 0;
let free: Buffer | undefined;

/** Hands every packet quiche has ready to `sink`, one datagram at a time, until quiche has nothing more (or fails). */
export function sendDatagrams(native: NativeConnection, sink: DatagramSink): void {
  const size = sink.maxDatagramSize;
  for (;;) {
    if (SLAB_SIZE - slabAt < size) {
      slab = Buffer.allocUnsafe(SLAB_SIZE);
      slabAt = 0;
    }
    // Most flushes end with a call that writes nothing: the view of the free space is kept for the next one.
    if (free === undefined || free.length !== size || free.byteOffset !== slab.byteOffset + slabAt || free.buffer !== slab.buffer) free = slab.subarray(slabAt, slabAt + size);
    let sent: ReturnType<NativeConnection['send']>;
    try {
      sent = native.send(free);
    } catch {
      return;
    }
    if (sent === null) return;
    const [length, info] = sent;
    const datagram = free.subarray(0, length);
    free = undefined;
    // Keep the next datagram 8-byte aligned.
    slabAt += (length + 7) & ~7;
    sink.send(datagram, info.to);
  }
}
