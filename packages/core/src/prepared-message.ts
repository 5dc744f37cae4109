/**
 * A message framed once and sent to many connections (a broadcast). A
 * server's frames are not masked (RFC 6455 §5.1), so the same bytes serve
 * every server-side connection, whatever its transport. With
 * permessage-deflate, connections that compress without context takeover
 * and with the same settings share one compression (RFC 7692 §7.2.1: the
 * output then depends on the message alone); the others compress for
 * themselves, and clients frame and mask for themselves.
 */
import { Buffer } from 'node:buffer';
import { toBuffer, type SendData } from './send-data.js';
import { Opcode, encodeFrame } from '@wstack/protocol';

export class PreparedMessage {
  readonly data: Buffer;
  readonly binary: boolean;
  /** The unmasked, uncompressed frames. */
  readonly frames: readonly Buffer[];
  private readonly compressed = new Map<string, Promise<Buffer>>();

  constructor(data: SendData, options: { binary?: boolean } = {}) {
    this.binary = options.binary ?? typeof data !== 'string';
    this.data = typeof data === 'string' ? Buffer.from(data) : toBuffer(data);
    this.frames = encodeFrame(this.binary ? Opcode.BINARY : Opcode.TEXT, this.data, { fin: true, rsv: 0, mask: undefined });
  }

  /** The message compressed the way `key` names, once per key (see PerMessageDeflate.statelessCompression). */
  compressedAs(key: string, compress: (data: Buffer) => Promise<Buffer>): Promise<Buffer> {
    let result = this.compressed.get(key);
    if (result === undefined) this.compressed.set(key, (result = compress(this.data)));
    return result;
  }
}
