/**
 * permessage-deflate compression and decompression (RFC 7692 §7.2) over
 * node:zlib, for one connection.
 *
 * - A direction that keeps its context (context takeover) has its own zlib
 *   stream, made on first use. A direction without it compresses or
 *   decompresses each message on its own, so its streams are borrowed from a
 *   pool shared by all connections: memory grows with concurrent jobs, not
 *   with connections.
 * - Inflation is bounded while it runs: output beyond the limit stops it
 *   after at most one zlib chunk more than the limit.
 * - Every job runs under the shared limiter.
 */
import { Buffer } from 'node:buffer';
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
} from 'node:zlib';
import { DEFAULT_COMPRESSION_THRESHOLD, ProtocolError, type CompressionOptions, type DeflateParams, type Role } from '@wstack/protocol';
import { zlibLimiter } from './zlib-limiter.js';

/** The end of a sync-flushed DEFLATE stream, removed from each message and put back to inflate (§7.2.1, §7.2.2). */
const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);
/** The first byte of an empty stored block: what remains of one once its tail is left off. */
const EMPTY_BLOCK_HEAD = Buffer.from([0x00]);

/**
 * zlib cannot deflate with a 256-byte window: asked for 8 it uses 9. That
 * is still safe for a peer with a 256-byte window, because zlib never
 * reaches farther back than the window less 262 bytes (MAX_DIST), 250 here.
 */
function compressionWindow(bits: number): number {
  return bits === 8 ? 9 : bits;
}

/**
 * Every write is sync-flushed (RFC 7692 §7.2.1 compresses each message with
 * a sync flush): one write per message is one trip through the thread pool,
 * where a write and a separate flush would be two.
 */
const SYNC_FLUSH = { flush: constants.Z_SYNC_FLUSH };

/** Below this, a compressed message and the tail are joined into one write. */
const JOIN_TAIL_BELOW = 64 * 1024;

interface DeflatePoolKey {
  windowBits: number;
  level: number;
  memLevel: number;
  flush: number;
}

/** Idle zlib streams of directions without context takeover, by their settings. */
const deflatePool = new Map<string, DeflateRaw[]>();
const inflatePool = new Map<number, InflateRaw[]>();
/** Pooled streams kept per setting; the rest are closed when returned. */
const POOL_LIMIT = 16;

function borrowDeflate(key: DeflatePoolKey): DeflateRaw {
  return deflatePool.get(poolName(key))?.pop() ?? createDeflateRaw(key);
}

function returnDeflate(key: DeflatePoolKey, stream: DeflateRaw): void {
  const name = poolName(key);
  const idle = deflatePool.get(name) ?? [];
  deflatePool.set(name, idle);
  if (idle.length < POOL_LIMIT) {
    stream.reset();
    idle.push(stream);
  } else {
    stream.close();
  }
}

function borrowInflate(windowBits: number): InflateRaw {
  return inflatePool.get(windowBits)?.pop() ?? createInflateRaw({ windowBits, ...SYNC_FLUSH });
}

function returnInflate(windowBits: number, stream: InflateRaw): void {
  const idle = inflatePool.get(windowBits) ?? [];
  inflatePool.set(windowBits, idle);
  if (idle.length < POOL_LIMIT) {
    stream.reset();
    idle.push(stream);
  } else {
    stream.close();
  }
}

function poolName(key: DeflatePoolKey): string {
  return `${key.windowBits}/${key.level}/${key.memLevel}`;
}

export class PerMessageDeflate {
  /** Messages from this size on are compressed. */
  readonly threshold: number;
  private readonly deflateKey: DeflatePoolKey;
  private readonly keepDeflateContext: boolean;
  private readonly keepInflateContext: boolean;
  private readonly inflateWindow: number;
  private deflater: DeflateRaw | undefined;
  private inflater: InflateRaw | undefined;
  /** A job is running on the stream: closing it now could leave the job unsettled. */
  private deflating = false;
  private inflating = false;
  private closed = false;

  constructor(
    readonly params: DeflateParams,
    role: Role,
    options: CompressionOptions = {},
  ) {
    const ours = role === 'server' ? 'server' : 'client';
    const theirs = role === 'server' ? 'client' : 'server';
    this.threshold = options.threshold ?? DEFAULT_COMPRESSION_THRESHOLD;
    this.deflateKey = {
      windowBits: compressionWindow(params[`${ours}MaxWindowBits`]),
      level: options.level ?? constants.Z_DEFAULT_COMPRESSION,
      memLevel: options.memLevel ?? 8,
      ...SYNC_FLUSH,
    };
    this.keepDeflateContext = !params[`${ours}NoContextTakeover`];
    this.keepInflateContext = !params[`${theirs}NoContextTakeover`];
    this.inflateWindow = params[`${theirs}MaxWindowBits`];
  }

  /**
   * A name for how this side compresses when its output does not depend on
   * earlier messages (no context takeover): two connections with the same
   * name compress a message to the same bytes, so a broadcast compresses it
   * once for both. Undefined with context takeover.
   */
  get statelessCompression(): string | undefined {
    return this.keepDeflateContext ? undefined : poolName(this.deflateKey);
  }

  /**
   * Compresses one fragment of a message (the whole message when `fin`).
   * The last fragment's output loses its sync-flush tail (§7.2.1).
   */
  compress(data: Buffer, fin: boolean): Promise<Buffer> {
    return zlibLimiter.run(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const stream = (this.deflater ??= this.keepDeflateContext ? createDeflateRaw(this.deflateKey) : borrowDeflate(this.deflateKey));
          this.deflating = true;
          const chunks: Buffer[] = [];
          let size = 0;
          const onData = (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
          };
          const onError = (error: Error) => {
            stream.off('data', onData);
            this.deflating = false;
            this.deflater = undefined;
            stream.close();
            reject(error);
          };
          stream.on('data', onData);
          stream.once('error', onError);
          stream.write(data, () => {
            this.deflating = false;
            stream.off('data', onData);
            stream.off('error', onError);
            let output = Buffer.concat(chunks, size);
            if (fin) {
              // A sync flush ends with an empty stored block whose last 4 bytes, 00 00 ff ff, are left off (§7.2.1).
              // With no new input zlib flushes nothing; the message then ends with 00, which with the
              // 00 00 ff ff the receiver appends is a whole empty stored block (§7.2.3.6).
              output = size === 0 ? EMPTY_BLOCK_HEAD : output.subarray(0, output.length - TAIL.length);
            }
            if (this.closed) this.closeStreams();
            else if (fin && !this.keepDeflateContext) {
              this.deflater = undefined;
              returnDeflate(this.deflateKey, stream);
            }
            resolve(output);
          });
        }),
    );
  }

  /**
   * Decompresses one whole message (§7.2.2). Output beyond `limit` bytes
   * fails with MESSAGE_TOO_LARGE (1009) as soon as zlib produces it; data
   * that is not DEFLATE fails with INVALID_COMPRESSED_DATA (1007).
   */
  decompress(data: Buffer, limit: number): Promise<Buffer> {
    return zlibLimiter.run(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const stream = (this.inflater ??= this.keepInflateContext ? createInflateRaw({ windowBits: this.inflateWindow, ...SYNC_FLUSH }) : borrowInflate(this.inflateWindow));
          this.inflating = true;
          const chunks: Buffer[] = [];
          let size = 0;
          let settled = false;
          const finish = (error?: ProtocolError) => {
            settled = true;
            this.inflating = false;
            stream.off('data', onData);
            stream.off('error', onError);
            stream.off('end', onEnd);
            if (error !== undefined) {
              // The stream's state is unknown now: never reuse it.
              this.inflater = undefined;
              stream.close();
              reject(error);
            }
          };
          const onData = (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) return finish(new ProtocolError('MESSAGE_TOO_LARGE', `message inflates to more than ${limit} bytes (stopped after ${size})`));
            chunks.push(chunk);
          };
          const onError = (error: Error) => finish(new ProtocolError('INVALID_COMPRESSED_DATA', `compressed data is invalid: ${error.message}`));
          // A block with BFINAL set ends the DEFLATE stream: the next message needs a new one.
          let ended = false;
          const onEnd = () => {
            ended = true;
          };
          stream.on('data', onData);
          stream.on('error', onError);
          stream.once('end', onEnd);
          const done = () => {
            if (settled) return;
            finish();
            if (this.closed) this.closeStreams();
            else if (ended) {
              this.inflater = undefined;
              stream.close();
            } else if (!this.keepInflateContext) {
              this.inflater = undefined;
              returnInflate(this.inflateWindow, stream);
            }
            resolve(Buffer.concat(chunks, size));
          };
          if (data.length < JOIN_TAIL_BELOW) {
            stream.write(Buffer.concat([data, TAIL]), done);
          } else {
            stream.write(data);
            stream.write(TAIL, done);
          }
        }),
    );
  }

  /** Frees the zlib streams; one with a job running is freed when the job ends. */
  close(): void {
    this.closed = true;
    this.closeStreams();
  }

  /** Streams held between messages or mid-message are closed, never pooled: their state belongs to this connection. */
  private closeStreams(): void {
    if (!this.deflating && this.deflater !== undefined) {
      this.deflater.close();
      this.deflater = undefined;
    }
    if (!this.inflating && this.inflater !== undefined) {
      this.inflater.close();
      this.inflater = undefined;
    }
  }
}
