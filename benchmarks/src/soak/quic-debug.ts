/**
 * SOAK_DEBUG: what the QUIC driver holds for a connection, read from private
 * fields for diagnosis only (the load's lost echoes, the server's sessions),
 * so that the two ends of one connection can be matched by the client's port.
 */
interface DebugStream {
  id: number;
  queued: number;
  paused: boolean;
  readEnded: boolean;
  writeEnded: boolean;
}

interface DebugConnection {
  local: { port: number };
  remote: { port: number };
  streams: Map<number, DebugStream>;
  blocked: Set<DebugStream>;
  toPush: Set<DebugStream>;
  toRead: Set<DebugStream>;
  lingering: Set<unknown>;
  peerResets: number;
  native: { streamCapacity(id: number): number; isClosed(): boolean; stats(): { sentBytes: number; recvBytes: number; lost: number }; pathStats(): Iterable<{ cwnd: number }> };
}

export function describeQuic(connection: unknown): string {
  const quic = connection as DebugConnection;
  const streams = [...quic.streams.values()];
  const capacity = (id: number) => {
    try {
      return quic.native.streamCapacity(id);
    } catch {
      return -1;
    }
  };
  const waiting = streams.filter((stream) => stream.queued > 0);
  const capacities = waiting.map((stream) => capacity(stream.id));
  return `ports ${quic.local.port}→${quic.remote.port}: streams ${streams.length} (paused ${streams.filter((stream) => stream.paused).length}), queued on ${waiting.length} (${waiting.reduce((sum, stream) => sum + stream.queued, 0)} B, capacity min ${capacities.length ? Math.min(...capacities) : '-'} max ${capacities.length ? Math.max(...capacities) : '-'}), blocked ${quic.blocked.size}, toPush ${quic.toPush.size}, toRead ${quic.toRead.size}, lingering ${quic.lingering.size}, peerResets ${quic.peerResets}, closed ${quic.native.isClosed()}, ${traffic(quic)}`;
}

/** Bytes each way, packets lost, and the congestion window: which of quiche's two limits on sending holds a stalled connection. */
function traffic(quic: DebugConnection): string {
  const stats = quic.native.stats();
  const path = [...quic.native.pathStats()][0];
  return `sent ${Number(stats.sentBytes)} B, received ${Number(stats.recvBytes)} B, lost ${Number(stats.lost)}, cwnd ${Number(path?.cwnd)}`;
}
