/** Property tests: encode → decode round trips, and random input never escapes the typed errors. */
import t from 'tap';
import fc from 'fast-check';
import { Opcode } from '../src/frame.js';
import { Protocol, type ProtocolEvent } from '../src/protocol.js';
import { plain } from './helpers.js';

type Sent =
  | { kind: 'text'; data: string; pieces: number }
  | { kind: 'binary'; data: Uint8Array; pieces: number }
  | { kind: 'ping'; data: Uint8Array };

const sent = fc.oneof(
  fc.record({ kind: fc.constant('text' as const), data: fc.string({ unit: 'grapheme', maxLength: 300 }), pieces: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('binary' as const), data: fc.uint8Array({ maxLength: 70000, size: 'small' }), pieces: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('ping' as const), data: fc.uint8Array({ maxLength: 125 }) }),
);

function splitPieces(data: Buffer, pieces: number): Buffer[] {
  const size = Math.ceil(data.length / pieces) || 1;
  const out: Buffer[] = [];
  for (let i = 0; i < pieces; i++) out.push(data.subarray(i * size, (i + 1) * size));
  return out;
}

function expected(items: Sent[]): unknown[] {
  return plain(
    items.map((item): ProtocolEvent =>
      item.kind === 'ping'
        ? { type: 'ping', data: Buffer.from(item.data) }
        : { type: 'message', binary: item.kind === 'binary', data: Buffer.from(item.data) },
    ),
  );
}

function rechunk(stream: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let at = 0;
  for (const point of [...points, stream.length]) {
    chunks.push(Buffer.from(stream.subarray(at, point)));
    at = point;
  }
  return chunks;
}

for (const role of ['client', 'server'] as const) {
  t.test(`${role} → peer: messages round-trip over any chunk split`, async () => {
    fc.assert(
      fc.property(fc.array(sent, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 8 }), (items, cuts) => {
        const sender = new Protocol({ role });
        for (const item of items) {
          if (item.kind === 'ping') {
            sender.ping(item.data);
            continue;
          }
          const bytes = Buffer.from(item.data);
          const parts = splitPieces(bytes, item.pieces);
          parts.forEach((part, i) => {
            const fin = i === parts.length - 1;
            if (i !== 0) sender.sendContinuation(part, fin);
            else if (item.kind === 'text') sender.sendText(part.length === bytes.length ? item.data : part, fin);
            else sender.sendBinary(part, fin);
          });
        }
        const stream = Buffer.concat(sender.dataToSend());
        const receiver = new Protocol({ role: role === 'client' ? 'server' : 'client', autoPong: false });
        for (const chunk of rechunk(stream, cuts)) receiver.receiveData(chunk);
        const events = plain(receiver.eventsReceived());
        return JSON.stringify(events) === JSON.stringify(expected(items));
      }),
      { numRuns: 300 },
    );
  });
}

t.test('random bytes raise only typed protocol errors, and never hang', async (t) => {
  let errors = 0;
  fc.assert(
    fc.property(fc.constantFrom('client' as const, 'server' as const), fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 4 }), (role, data, cuts) => {
      const receiver = new Protocol({ role, maxMessageSize: 1 << 20 });
      for (const chunk of rechunk(Buffer.from(data), cuts)) receiver.receiveData(chunk);
      receiver.receiveEof();
      for (const event of receiver.eventsReceived()) {
        if (event.type === 'error') {
          errors++;
          if (![1002, 1007, 1009].includes(event.error.closeCode)) return false;
        }
      }
      return receiver.state === 'CLOSED';
    }),
    { numRuns: 5000 },
  );
  t.ok(errors > 0, 'random input does meet protocol errors');
});

t.test('random valid frame headers with random payloads parse to the same events at any split', async () => {
  const frame = fc.record({
    opcode: fc.constantFrom(Opcode.TEXT, Opcode.BINARY, Opcode.PING, Opcode.PONG),
    data: fc.string({ maxLength: 100 }),
  });
  fc.assert(
    fc.property(fc.array(frame, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 6 }), (frames, cuts) => {
      const sender = new Protocol({ role: 'client' });
      for (const f of frames) {
        if (f.opcode === Opcode.PING) sender.ping(f.data.slice(0, 40));
        else if (f.opcode === Opcode.PONG) sender.pong(f.data.slice(0, 40));
        else if (f.opcode === Opcode.TEXT) sender.sendText(f.data);
        else sender.sendBinary(Buffer.from(f.data));
      }
      const stream = Buffer.concat(sender.dataToSend());
      const whole = new Protocol({ role: 'server' });
      whole.receiveData(Buffer.from(stream));
      const split = new Protocol({ role: 'server' });
      for (const chunk of rechunk(stream, cuts)) split.receiveData(chunk);
      return JSON.stringify(plain(whole.eventsReceived())) === JSON.stringify(plain(split.eventsReceived()));
    }),
    { numRuns: 500 },
  );
});
