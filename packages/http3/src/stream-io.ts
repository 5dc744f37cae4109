/**
 * Reading the head of a request stream (RFC 9114 §4.1): chunks of the QUIC
 * stream go through the sans-I/O decoder until the request (server) or the
 * final response (client) header section arrived. Whatever the same chunks
 * carried after it (the first DATA frames) is handed on, so that the carrier
 * delivers it before anything it reads itself.
 */
import type { QUICStream } from '@matrixai/quic';
import type { Http3Error } from './errors.js';
import type { RequestStreamDecoder, RequestStreamEvent } from './request-stream.js';

export type HeadEvent = Extract<RequestStreamEvent, { type: 'request' | 'response' }>;

export interface StreamHead<T extends HeadEvent> {
  event: T;
  /** Events that followed the head in the chunks read so far. */
  rest: RequestStreamEvent[];
}

export type StreamReader = ReadableStreamDefaultReader<Uint8Array>;
export type StreamWriter = WritableStreamDefaultWriter<Uint8Array>;
export type ReadResult = Awaited<ReturnType<StreamReader['read']>>;

/** The peer's stream broke the rules of HTTP/3: `error` says how, and whether it is a connection error. */
export class StreamProtocolError extends Error {
  override readonly name = 'StreamProtocolError';
  constructor(readonly error: Http3Error) {
    super(error.message, { cause: error });
  }
}

/** The stream ended (FIN or reset) before its head. */
export class StreamEndedError extends Error {
  override readonly name = 'StreamEndedError';
}

export async function readHead<T extends HeadEvent>(reader: StreamReader, decoder: RequestStreamDecoder, wanted: T['type']): Promise<StreamHead<T>> {
  for (;;) {
    let result: ReadResult;
    try {
      result = await reader.read();
    } catch (error) {
      throw new StreamEndedError(`the stream was reset before its header section: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    const events = decoder.receive(result.value ?? new Uint8Array(0), result.done);
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.type === 'error') throw new StreamProtocolError(event.error);
      if (event.type === wanted) return { event: event as T, rest: events.slice(i + 1) };
    }
    if (result.done) throw new StreamEndedError('the stream ended before its header section');
  }
}

/** Resets both directions of a stream with `reason` (its wire code, or H3_REQUEST_CANCELLED), quietly. */
export function cancelStream(stream: QUICStream, reason?: unknown): void {
  try {
    stream.cancel(reason);
  } catch {
    // quiche has already collected the stream: nothing is left to reset.
  }
}
