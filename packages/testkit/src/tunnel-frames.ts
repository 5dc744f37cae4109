/**
 * Raw frames for the tunnel tests of every transport: what a client writes
 * into a tunnel by hand, and what it reads back from the server.
 */
import type { Tunnel } from '@wstack/core';

/** A masked frame, as a client sends it (RFC 6455 §5.2, §5.3); short payloads only. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked = payload.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

/** A close frame with a code, as a client sends it (RFC 6455 §5.5.1). */
export const closeFrame = (code: number) => clientFrame(0x8, Buffer.from([code >> 8, code & 0xff]));

/** The server's close frame of code 1000, no reason. */
export const SERVER_CLOSE_1000 = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

/** Everything a tunnel reports, from the moment it is opened. */
export function record(tunnel: Tunnel) {
  const seen = { bytes: Buffer.alloc(0), ended: false, closed: false, error: undefined as Error | undefined };
  let wake = () => undefined as void;
  tunnel.on('data', (chunk) => {
    seen.bytes = Buffer.concat([seen.bytes, chunk]);
    wake();
  });
  tunnel.on('end', () => {
    seen.ended = true;
    wake();
  });
  tunnel.on('close', (error) => {
    seen.closed = true;
    seen.error = error;
    wake();
  });
  /** Waits until `done`; fails if the tunnel closes first. */
  const until = async (done: () => boolean) => {
    while (!done()) {
      if (seen.closed) throw new Error(`the tunnel closed with ${seen.bytes.length} bytes unread`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  /** Takes the next whole frame from the server (unmasked, short). */
  const nextFrame = async () => {
    const length = () => 2 + (seen.bytes[1]! & 0x7f);
    await until(() => seen.bytes.length >= 2 && seen.bytes.length >= length());
    const frame = seen.bytes.subarray(0, length());
    seen.bytes = seen.bytes.subarray(frame.length);
    return frame;
  };
  /** After both close frames: the server ends its stream, we end ours, and the tunnel closes. */
  const finish = async () => {
    await until(() => seen.ended);
    tunnel.end();
    await until(() => seen.closed);
  };
  return { seen, nextFrame, finish };
}

/** A text frame as the server sends it. */
export const serverText = (text: string) => Buffer.from([0x81, text.length, ...Buffer.from(text)]);
