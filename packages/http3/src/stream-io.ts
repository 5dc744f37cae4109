/**
 * Reading the head of a request stream (RFC 9114 §4.1): chunks of the QUIC
 * stream go through the sans-I/O decoder until the request (server) or the
 * final response (client) header section arrived. The stream is then
 * paused; whatever the same chunks carried after the head (the first DATA
 * frames) is handed on, so that the carrier delivers it before anything it
 * reads itself.
 */
import { StreamEndedError, StreamProtocolError } from './errors.js';
import type { RequestStreamDecoder, RequestStreamEvent } from './h3/request-stream.js';
import { IGNORE, type QuicStream, type StreamHandler } from './quic/stream.js';

export type HeadEvent = Extract<RequestStreamEvent, { type: 'request' | 'response' }>;

export interface StreamHead<T extends HeadEvent> {
  event: T;
  /** Events that followed the head in the chunks read so far. */
  rest: RequestStreamEvent[];
  /**
   * What the stream reported after the head, before its next user set a
   * handler (a reset, STOP_SENDING, the connection's end): each a call to
   * replay on that handler, or the news would be lost.
   */
  late: LateEvent[];
}

/** A stream event kept for the next handler. */
export type LateEvent = (handler: StreamHandler) => void;

export function readHead<T extends HeadEvent>(stream: QuicStream, decoder: RequestStreamDecoder, wanted: T['type']): Promise<StreamHead<T>> {
  return new Promise((resolve, reject) => {
    let done = false;
    const late: LateEvent[] = [];
    const settle = (action: () => void) => {
      if (done) return;
      done = true;
      action();
    };
    stream.handler = {
      ...IGNORE,
      data(chunk, fin) {
        if (done) return;
        const events = decoder.receive(chunk, fin);
        for (let i = 0; i < events.length; i++) {
          const event = events[i]!;
          if (event.type === 'error') return settle(() => reject(new StreamProtocolError(event.error)));
          if (event.type === wanted) {
            stream.pause();
            return settle(() => resolve({ event: event as T, rest: events.slice(i + 1), late }));
          }
        }
        if (fin) settle(() => reject(new StreamEndedError('the stream ended before its header section')));
      },
      reset: (code) => {
        if (done) late.push((handler) => handler.reset(code));
        settle(() => reject(new StreamEndedError(`the stream was reset with code 0x${code.toString(16)} before its header section`, { resetCode: code })));
      },
      stopped: (code) => {
        if (done) late.push((handler) => handler.stopped(code));
      },
      closed: (error) => {
        if (done) late.push((handler) => handler.closed(error));
        settle(() => reject(new StreamEndedError(`the stream ended before its header section: ${error.message}`, { cause: error })));
      },
    };
  });
}
