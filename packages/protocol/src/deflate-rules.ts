/**
 * permessage-deflate's rules that the protocol itself applies (RFC 7692):
 * how large a compressed frame may be, and the settings an endpoint gives
 * its compressor. The compressor itself (zlib) lives in @wstack/core.
 */
export interface CompressionOptions {
  /** zlib compression level, 0–9. Default: zlib's default (6). */
  level?: number;
  /** zlib memLevel, 1–9: memory for the compressor's state. Default 8. */
  memLevel?: number;
  /** Messages smaller than this many bytes go uncompressed. Default 1024. */
  threshold?: number;
}

export const DEFAULT_COMPRESSION_THRESHOLD = 1024;

/**
 * The most a message of `size` bytes can take once deflated: incompressible
 * data grows a little (zlib's deflateBound for raw streams, plus slack), so
 * limits on compressed frames allow for it.
 */
export function compressedBound(size: number): number {
  return size + Math.floor(size / 4096) + Math.floor(size / 16384) + Math.floor(size / 33554432) + 64;
}
