/**
 * How StreamCarrier hands bytes to its stream, against a stand-in for an
 * Http2Stream that records each write and completes it when told: whole
 * chunks up to `maxBytesInFlight`, larger ones in pieces of that size, and
 * new writes only while less than that is in flight.
 */
import t from 'tap';
import { EventEmitter } from 'node:events';
import type { Http2Stream } from 'node:http2';
import { StreamCarrier } from '../src/stream-carrier.js';

const MAX_IN_FLIGHT = 1000;
const HIGH_WATER_MARK = 4000;

class RecordingStream extends EventEmitter {
  destroyed = false;
  readonly writes: Buffer[] = [];
  private readonly pending: { size: number; callback: () => void }[] = [];
  /** As node's Writable counts it: bytes written whose callback has not run. */
  writableLength = 0;
  ended = false;

  write(chunk: Buffer, callback: () => void): boolean {
    this.writes.push(chunk);
    this.pending.push({ size: chunk.length, callback });
    this.writableLength += chunk.length;
    return true;
  }

  cork(): void {}
  uncork(): void {}

  end(): void {
    this.ended = true;
  }

  /** Completes the oldest write, as node:http2 does once it is on the socket. */
  complete(): void {
    const write = this.pending.shift()!;
    this.writableLength -= write.size;
    write.callback();
  }
}

function carrierOn(stream: RecordingStream) {
  const carrier = new StreamCarrier(stream as unknown as Http2Stream, HIGH_WATER_MARK, MAX_IN_FLIGHT);
  let drains = 0;
  carrier.attach({ data: () => {}, end: () => {}, drain: () => drains++, close: () => {} });
  return { carrier, drains: () => drains };
}

const sizes = (stream: RecordingStream) => stream.writes.map((chunk) => chunk.length);

t.test('a frame just over the limit goes to the stream whole, header and payload together', async (t) => {
  const stream = new RecordingStream();
  const { carrier } = carrierOn(stream);
  carrier.write([Buffer.alloc(10), Buffer.alloc(MAX_IN_FLIGHT)]);
  t.same(sizes(stream), [10, MAX_IN_FLIGHT], 'no piece waits for the first write to complete');
  t.equal(carrier.bufferedAmount, MAX_IN_FLIGHT + 10);
});

t.test('no new write starts while the limit is in flight', async (t) => {
  const stream = new RecordingStream();
  const { carrier } = carrierOn(stream);
  carrier.write([Buffer.alloc(MAX_IN_FLIGHT)]);
  carrier.write([Buffer.alloc(5)]);
  t.same(sizes(stream), [MAX_IN_FLIGHT], 'the second waits');
  t.equal(carrier.bufferedAmount, MAX_IN_FLIGHT + 5, 'and counts as buffered');
  stream.complete();
  t.same(sizes(stream), [MAX_IN_FLIGHT, 5], 'it goes once the first completed');
  stream.complete();
  t.equal(carrier.bufferedAmount, 0);
});

t.test('a chunk larger than the limit goes in pieces of the limit, in order', async (t) => {
  const stream = new RecordingStream();
  const { carrier } = carrierOn(stream);
  const chunk = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
  carrier.write([chunk]);
  t.same(sizes(stream), [MAX_IN_FLIGHT]);
  stream.complete();
  stream.complete();
  t.same(sizes(stream), [MAX_IN_FLIGHT, MAX_IN_FLIGHT, 500]);
  t.ok(Buffer.concat(stream.writes).equals(chunk), 'the pieces make the chunk');
});

t.test('write returns false at the high-water mark, and drain follows once below it', async (t) => {
  const stream = new RecordingStream();
  const { carrier, drains } = carrierOn(stream);
  t.equal(carrier.write([Buffer.alloc(HIGH_WATER_MARK - 1)]), true, 'below the mark');
  t.equal(carrier.write([Buffer.alloc(1)]), false, 'at the mark');
  stream.complete();
  t.equal(drains(), 1, 'drained below the mark');
});

t.test('end waits for every queued byte, then ends the stream', async (t) => {
  const stream = new RecordingStream();
  const { carrier } = carrierOn(stream);
  carrier.write([Buffer.alloc(MAX_IN_FLIGHT), Buffer.alloc(7)]);
  carrier.end();
  t.equal(stream.ended, false, 'seven bytes still queued');
  stream.complete();
  t.equal(stream.ended, true);
  t.equal(carrier.write([Buffer.alloc(1)]), false, 'nothing is taken after the end');
});
