/** What a connection sends: the data types it takes, their options, and bytes made of them without copying. */
import { Buffer } from 'node:buffer';

export type SendData = string | Buffer | ArrayBuffer | ArrayBufferView;

export interface SendOptions {
  /** Send as binary; default: true for bytes, false for strings. */
  binary?: boolean;
  /**
   * With permessage-deflate negotiated, messages of at least the threshold
   * are compressed; false sends this one as it is. Default true.
   */
  compress?: boolean;
}

export function toBuffer(data: Exclude<SendData, string>): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** Payload bytes of data sent as is: a string's UTF-8 length. */
export function byteLengthOf(data: SendData): number {
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}
