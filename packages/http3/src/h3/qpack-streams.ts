/**
 * The peer's QPACK encoder and decoder streams (RFC 9204 §4.2), read with the
 * knowledge that our dynamic table capacity is 0 and that we never reference
 * the peer's dynamic table.
 *
 * Both carry unframed instructions; one may arrive split across chunks, so
 * the few bytes of an unfinished instruction wait for the next chunk. Only
 * instructions that are just integers can be valid here, so that is at most
 * one prefixed integer (bounded by prefix-integer.ts).
 */
import { Http3Error } from './errors.js';
import { readPrefixInteger } from './prefix-integer.js';

/** Shared: holds the unfinished tail between chunks. */
abstract class InstructionReader {
  private pending: Buffer = Buffer.alloc(0);
  private failure: Http3Error | undefined;

  /** Reads a chunk; returns the connection error it causes, if any (and keeps returning it). */
  push(chunk: Uint8Array): Http3Error | undefined {
    if (this.failure) return this.failure;
    const bytes = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    try {
      while (offset < bytes.length) {
        const used = this.instruction(bytes, offset);
        if (used === null) break;
        offset += used;
      }
    } catch (error) {
      this.failure = error as Http3Error;
      return this.failure;
    }
    this.pending = Buffer.from(bytes.subarray(offset));
    return undefined;
  }

  /** Handles the instruction at `offset`: returns its size, or null if it is not complete yet. Throws Http3Error. */
  protected abstract instruction(bytes: Uint8Array, offset: number): number | null;
}

/**
 * The peer's encoder stream (RFC 9204 §4.3). With our capacity of 0:
 * - Set Dynamic Table Capacity to 0 is accepted; above 0 it exceeds our
 *   maximum, QPACK_ENCODER_STREAM_ERROR (§4.3.1).
 * - Insert With Name Reference, Insert With Literal Name: no entry fits in a
 *   table of capacity 0, QPACK_ENCODER_STREAM_ERROR (§3.2.2, §4.3.2, §4.3.3).
 * - Duplicate: there is no entry to duplicate, QPACK_ENCODER_STREAM_ERROR (§4.3.4, §3.2.2).
 */
export class QpackEncoderStreamReader extends InstructionReader {
  protected instruction(bytes: Uint8Array, offset: number): number | null {
    const first = bytes[offset]!;
    if (first & 0x80) throw encoderStreamError('Insert With Name Reference, but our dynamic table capacity is 0');
    if (first & 0x40) throw encoderStreamError('Insert With Literal Name, but our dynamic table capacity is 0');
    if ((first & 0x20) === 0) throw encoderStreamError('Duplicate, but our dynamic table is empty');
    // 001 Capacity (5+).
    const capacity = readPrefixInteger(bytes, offset, 5, { code: 'QPACK_ENCODER_STREAM_ERROR' });
    if (capacity === null) return null;
    if (capacity.value > 0) {
      throw encoderStreamError(`Set Dynamic Table Capacity ${capacity.value} exceeds our maximum of 0 (RFC 9204 §4.3.1)`);
    }
    return capacity.size;
  }
}

/**
 * The peer's decoder stream (RFC 9204 §4.4). We never send a field section
 * that references the dynamic table, and never insert, so:
 * - Section Acknowledgment is QPACK_DECODER_STREAM_ERROR (§4.4.1);
 * - Insert Count Increment is QPACK_DECODER_STREAM_ERROR (§4.4.3: zero, or
 *   beyond what we inserted, which is nothing);
 * - Stream Cancellation is read and ignored (§4.4.2).
 */
export class QpackDecoderStreamReader extends InstructionReader {
  protected instruction(bytes: Uint8Array, offset: number): number | null {
    const first = bytes[offset]!;
    if (first & 0x80) throw decoderStreamError('Section Acknowledgment, but we never reference the dynamic table (RFC 9204 §4.4.1)');
    if ((first & 0x40) === 0) throw decoderStreamError('Insert Count Increment, but we never insert (RFC 9204 §4.4.3)');
    // 01 Stream ID (6+).
    const streamId = readPrefixInteger(bytes, offset, 6, { code: 'QPACK_DECODER_STREAM_ERROR' });
    return streamId === null ? null : streamId.size;
  }
}

function encoderStreamError(message: string): Http3Error {
  return new Http3Error('QPACK_ENCODER_STREAM_ERROR', message);
}

function decoderStreamError(message: string): Http3Error {
  return new Http3Error('QPACK_DECODER_STREAM_ERROR', message);
}
