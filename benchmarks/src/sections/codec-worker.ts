/**
 * Section 1's measurements, in a child process: ws picks its masking code
 * (bufferutil or JavaScript) when it loads, so the run without bufferutil
 * (WS_NO_BUFFER_UTIL=1) needs a process of its own. Sends its figures, GB/s
 * of payload by case name, to the parent.
 *
 *   node codec-worker.js <budget ms> <subject,…> <codec|echo>
 *
 * `echo` measures only the echo without I/O, for one subject: a server's
 * process holds one kind of connection, and the codec cases' other roles
 * and layouts would leave the compiled echo code more general (slower) than
 * a server's.
 */
import { EventEmitter } from 'node:events';
import { encodeFrame, Opcode, Protocol, randomMaskSource } from '@wstack/protocol';
import { WebSocketConnection, type Carrier, type CarrierEvents } from '@wstack/core';
import { ws } from '../lib/ws-internals.js';
import { LengthPrefixReader, lengthPrefixed } from '../servers/length-prefix.js';

export interface CodecCase {
  /** parse/<layout>/<masked|unmasked>/<size>, serialize/<masked|unmasked>/<size>, ceiling/<copy|xor>/<size>, echo/<size>. */
  name: string;
  subject: string;
  gbPerSecond: number;
}

export const SIZES = [16, 1024, 65536, 1048576];
/** The sizes of section 2's echo. */
const ECHO_SIZES = [16, 1024, 65536];
export const LAYOUTS = ['one frame per chunk', 'many frames per 64 KiB chunk', 'one frame split across 64 KiB chunks'] as const;
export type Layout = (typeof LAYOUTS)[number];
const CHUNK = 65536;

const budgetMs = Number(process.argv[2] ?? 100);
/** A whole connection per call rather than one codec step: longer windows, so that a collection or a recompilation cannot decide the best one. */
const ECHO_BUDGET_MS = Math.max(60, budgetMs * 3);
const subjects = (process.argv[3] ?? '').split(',');
const part = process.argv[4] === 'echo' ? 'echo' : 'codec';

/**
 * Payload bytes per nanosecond (= GB/s) of `run`, which handles `bytes`
 * payload bytes per call: the best of three windows, since on a shared
 * machine other work can only slow a window down.
 */
function rate(bytes: number, run: () => void, budget = budgetMs): number {
  // Long enough for the optimising compiler to have finished with `run`.
  const warm = performance.now();
  while (performance.now() - warm < Math.max(budget < 20 ? 25 : 60, budget / 2)) run();
  const batch = Math.max(1, Math.floor(1048576 / bytes));
  const window = (budget * 1e6) / 3;
  let best = 0;
  for (let w = 0; w < 3; w++) {
    let calls = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (elapsed < window) {
      for (let i = 0; i < batch; i++) run();
      calls += batch;
      elapsed = Number(process.hrtime.bigint() - start);
    }
    best = Math.max(best, (calls * bytes) / elapsed);
  }
  return best;
}

/** One frame as a client (masked) or a server (unmasked) would send it. */
function frame(size: number, masked: boolean): Buffer {
  const chunks = encodeFrame(Opcode.BINARY, Buffer.alloc(size, 0x5a), { fin: true, mask: masked ? randomMaskSource : undefined });
  return Buffer.concat(chunks);
}

/** The chunks a reader receives for the layout, and the payload bytes they carry; null where the layout does not apply. */
function chunksFor(layout: Layout, size: number, masked: boolean): { chunks: Buffer[]; payload: number } | null {
  const one = frame(size, masked);
  if (layout === 'one frame per chunk') return { chunks: [one], payload: size };
  if (layout === 'many frames per 64 KiB chunk') {
    const n = Math.floor(CHUNK / one.length);
    if (n < 2) return null;
    return { chunks: [Buffer.concat(Array.from({ length: n }, () => one))], payload: n * size };
  }
  if (one.length <= CHUNK) return null;
  const chunks: Buffer[] = [];
  for (let at = 0; at < one.length; at += CHUNK) chunks.push(one.subarray(at, at + CHUNK));
  return { chunks, payload: size };
}

function wstackParse(masked: boolean): (chunk: Buffer) => void {
  const protocol = new Protocol({ role: masked ? 'server' : 'client', maxMessageSize: 2 * 1048576 });
  return (chunk) => {
    protocol.receiveData(chunk);
    protocol.eventsReceived();
  };
}

function wsParse(masked: boolean): (chunk: Buffer) => void {
  const receiver = new ws.Receiver({ isServer: masked, binaryType: 'nodebuffer', maxPayload: 0 });
  receiver.on('message', () => {});
  return (chunk) => receiver.write(chunk);
}

/**
 * A server's echo of one binary message without I/O: the chunk a socket
 * would deliver (one masked frame) goes in, the answer's bytes go to a
 * transport that drops them. What a WebSocket server adds to the raw floor's
 * echo, whose own part is finding the message's length prefix.
 */
function echoWithoutIo(subject: string, size: number): { chunk: Buffer; run: (chunk: Buffer) => void } | null {
  if (subject.startsWith('wstack')) {
    let events: CarrierEvents | undefined;
    const carrier: Carrier = {
      transport: 'http/1.1', endsAfterCloseFrame: false, bufferedAmount: 0,
      attach: (e) => (events = e), write: () => true, end: () => {}, abort: () => {}, pause: () => {}, resume: () => {},
    };
    const connection = new WebSocketConnection('server', carrier);
    connection.on('message', (data, binary) => connection.send(data, { binary }));
    return { chunk: frame(size, true), run: (chunk) => events!.data(chunk) };
  }
  if (subject.startsWith('ws')) {
    // ws takes a plain stream for its socket (it calls setTimeout and setNoDelay only where they exist).
    const socket = Object.assign(new EventEmitter(), { cork() {}, uncork() {}, write: () => true });
    const socketWs = new ws(null, undefined, {});
    socketWs.setSocket(socket, Buffer.alloc(0), { maxPayload: 0, skipUTF8Validation: false, allowSynchronousEvents: true });
    socketWs.on('message', (data, binary) => socketWs.send(data, { binary }));
    return { chunk: frame(size, true), run: (chunk) => socket.emit('data', chunk) };
  }
  if (subject === 'ceilings') {
    const reader = new LengthPrefixReader();
    const drop = () => {};
    return { chunk: lengthPrefixed(Buffer.alloc(size, 0x5a)), run: (chunk) => reader.push(chunk, drop) };
  }
  return null;
}

const cases: CodecCase[] = [];
for (const size of part === 'codec' ? SIZES : []) {
  for (const masked of [true, false]) {
    const kind = masked ? 'masked' : 'unmasked';
    for (const layout of LAYOUTS) {
      const input = chunksFor(layout, size, masked);
      if (input === null) continue;
      for (const subject of subjects) {
        // Both parsers unmask in place: the payload flips between masked and
        // plain from one pass to the next, which binary frames do not mind.
        const parse = subject.startsWith('wstack') ? wstackParse(masked) : subject.startsWith('ws') ? wsParse(masked) : null;
        if (parse === null) continue;
        const run = () => {
          for (const chunk of input.chunks) parse(chunk);
        };
        cases.push({ name: `parse/${layout}/${kind}/${size}`, subject, gbPerSecond: rate(input.payload, run) });
      }
    }
    const payload = Buffer.alloc(size, 0x5a);
    for (const subject of subjects) {
      // Neither may write into the caller's buffer (ws: readOnly), so a masked frame is a fresh copy in both.
      const run = subject.startsWith('wstack')
        ? () => encodeFrame(Opcode.BINARY, payload, { fin: true, mask: masked ? randomMaskSource : undefined })
        : subject.startsWith('ws')
          ? () => ws.Sender.frame(payload, { fin: true, rsv1: false, opcode: 2, mask: masked, readOnly: true })
          : null;
      if (run !== null) cases.push({ name: `serialize/${kind}/${size}`, subject, gbPerSecond: rate(size, run) });
    }
  }
  if (subjects.includes('ceilings')) {
    const source = Buffer.alloc(size, 0x5a);
    const target = Buffer.alloc(size);
    const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
    cases.push({ name: `ceiling/copy/${size}`, subject: 'Buffer.copy', gbPerSecond: rate(size, () => source.copy(target)) });
    cases.push({
      name: `ceiling/xor/${size}`,
      subject: 'plain XOR loop',
      gbPerSecond: rate(size, () => {
        for (let i = 0; i < size; i++) source[i] = source[i]! ^ key[i & 3]!;
      }),
    });
  }
}
for (const size of part === 'echo' ? ECHO_SIZES : []) {
  for (const subject of subjects) {
    const echo = echoWithoutIo(subject, size);
    // The parsers unmask in place, so the same chunk alternates between masked and plain: binary frames do not mind.
    if (echo !== null) cases.push({ name: `echo/${size}`, subject: subject === 'ceilings' ? 'raw floor' : subject, gbPerSecond: rate(size, () => echo.run(echo.chunk), ECHO_BUDGET_MS) });
  }
}
process.send!(cases);
process.disconnect();
