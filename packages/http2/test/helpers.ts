/** Raw HTTP/2 for the tests: requests by hand, and WebSocket frames written and read without the library. */
import { once } from 'node:events';
import { connect as connectHttp2, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';
import type { Test } from 'tap';
import { devCert } from './h2-transport.js';

/** A raw node:http2 client session whose SETTINGS have arrived. */
export async function rawSession(t: Test, origin: string): Promise<ClientHttp2Session> {
  const session = connectHttp2(origin, { ca: devCert.cert });
  session.on('error', () => undefined);
  t.teardown(() => {
    session.destroy();
  });
  await once(session, 'remoteSettings');
  return session;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  stream: ClientHttp2Stream;
}

/** A valid extended CONNECT request (RFC 8441 §5), with `extra` fields added or, when '', removed. */
export function connectHeaders(path = '/', extra: Record<string, string> = {}): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ':method': 'CONNECT', ':protocol': 'websocket', ':path': path, 'sec-websocket-version': '13' };
  for (const [name, value] of Object.entries(extra)) {
    if (value === '') delete headers[name];
    else headers[name] = value;
  }
  return headers;
}

/** Sends a request and reads the answer's head; for anything but 200, the body too (until END_STREAM). */
export async function rawRequest(session: ClientHttp2Session, headers: OutgoingHttpHeaders): Promise<RawAnswer> {
  const stream = session.request(headers, { endStream: headers[':method'] !== 'CONNECT' });
  stream.on('error', () => undefined);
  const [response] = (await once(stream, 'response')) as [Record<string, string | string[] | undefined> & { ':status': number }];
  let body = '';
  if (response[':status'] !== 200 || headers[':method'] !== 'CONNECT') {
    stream.setEncoding('utf8');
    for await (const text of stream) body += text;
  }
  return { status: response[':status'], headers: response, body, stream };
}

/** A masked frame, as a client sends it (RFC 6455 §5.2, §5.3). */
export function clientFrame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  const data = Buffer.from(payload);
  if (data.length > 125) throw new Error('short frames only');
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked = Buffer.from(data.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | data.length]), mask, masked]);
}

/** An unmasked frame, as a server sends it. */
export function serverFrame(opcode: number, payload: Buffer | string): Buffer {
  const data = Buffer.from(payload);
  if (data.length > 125) throw new Error('short frames only');
  return Buffer.concat([Buffer.from([0x80 | opcode, data.length]), data]);
}

export interface ReadFrame {
  opcode: number;
  payload: Buffer;
}

/** Reads whole frames (short ones, masked or not) from a stream of bytes. */
export class FrameCollector {
  private pending = Buffer.alloc(0);
  readonly frames: ReadFrame[] = [];
  private waiters: (() => void)[] = [];

  constructor(source: NodeJS.ReadableStream) {
    source.on('data', (chunk: Buffer) => {
      this.pending = Buffer.concat([this.pending, chunk]);
      this.parse();
    });
  }

  /** The next frame not yet taken. */
  async next(): Promise<ReadFrame> {
    while (this.frames.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.frames.shift()!;
  }

  private parse(): void {
    while (this.pending.length >= 2) {
      const masked = (this.pending[1]! & 0x80) !== 0;
      const length = this.pending[1]! & 0x7f;
      if (length > 125) throw new Error('short frames only');
      const start = 2 + (masked ? 4 : 0);
      if (this.pending.length < start + length) return;
      let payload = Buffer.from(this.pending.subarray(start, start + length));
      if (masked) {
        const mask = this.pending.subarray(2, 6);
        payload = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
      }
      this.frames.push({ opcode: this.pending[0]! & 0x0f, payload });
      this.pending = this.pending.subarray(start + length);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** The close code in a close frame's payload (RFC 6455 §5.5.1). */
export function closeCodeOf(frame: ReadFrame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
