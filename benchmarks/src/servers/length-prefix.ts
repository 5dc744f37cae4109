/**
 * The framing of the raw floors: a 4-byte big-endian length, then the
 * payload. The least a message protocol can do, so that the WebSocket
 * servers are compared with something that also finds message boundaries.
 */
export class LengthPrefixReader {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Feeds bytes; calls `message` with each whole frame, prefix included (a view where possible). */
  push(chunk: Buffer, message: (frame: Buffer) => void): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      let head = this.chunks[0]!;
      if (head.length < 4) head = this.merge();
      const length = head.readUInt32BE(0);
      if (this.buffered < 4 + length) return;
      if (head.length < 4 + length) head = this.merge();
      message(head.subarray(0, 4 + length));
      const rest = head.subarray(4 + length);
      this.buffered -= 4 + length;
      if (rest.length === 0) this.chunks.shift();
      else this.chunks[0] = rest;
    }
  }

  private merge(): Buffer {
    const whole = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [whole];
    return whole;
  }
}

export function lengthPrefixed(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}
