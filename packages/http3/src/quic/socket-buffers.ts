/**
 * The kernel's buffers of a UDP socket. QUIC has no kernel-side flow
 * control: a datagram that arrives while the receive buffer is full is
 * dropped (Linux counts it in RcvbufErrors) and comes back only after a
 * loss timeout (RFC 9002 §6), at a smaller congestion window. Linux's
 * default (net.core.rmem_default, 208 KiB) holds about a hundred datagrams,
 * which one event-loop stall of a busy process overflows; the kernel caps
 * what is asked at net.core.rmem_max / wmem_max.
 */
import type { Socket } from 'node:dgram';

/** Asks for buffers of `bytes` each way on a bound socket; a system that refuses keeps its own. */
export function growSocketBuffers(socket: Socket, bytes: number): void {
  if (bytes <= 0) return;
  try {
    if (socket.getRecvBufferSize() < bytes) socket.setRecvBufferSize(bytes);
    if (socket.getSendBufferSize() < bytes) socket.setSendBufferSize(bytes);
  } catch {
    // ERR_SOCKET_BUFFER_SIZE: the socket keeps the system's default, which works, with more loss under load.
  }
}
