/**
 * An ordinary HTTP/3 request (RFC 9114 §4.1) as core's RequestExchange,
 * served by a node:http request listener (core's serveExchange). The
 * request's content is the DATA of the stream, read as the application
 * reads (a paused stream grants the peer no credit: RFC 9000 §4); its
 * content-length is held to the DATA by the decoder (§4.1.2), and a
 * malformed request is reset with H3_MESSAGE_ERROR. The response is a
 * HEADERS frame, DATA as written, a trailing HEADERS when there are
 * trailers, and the FIN.
 */
import type { ExchangePeer, FieldList, RequestBodySink, RequestExchange } from '@wstack/core';
import { H3ErrorCode } from './h3/errors.js';
import type { RequestHead } from './h3/message-validation.js';
import { encodeDataHeader, encodeHeaders, type RequestStreamDecoder, type RequestStreamEvent } from './h3/request-stream.js';
import type { Http3Connection } from './h3-connection.js';
import type { QuicStream } from './quic/stream.js';
import type { LateEvent } from './stream-io.js';

export class StreamExchange implements RequestExchange {
  readonly httpVersion = '3.0';
  readonly method: string;
  readonly path: string;
  readonly authority: string | undefined;
  readonly fields: FieldList;
  readonly headOnly: boolean;
  readonly peer: ExchangePeer;
  private sink: RequestBodySink | undefined;
  private requestEnded = false;
  private responseEnded = false;
  private over = false;
  /** Write callbacks waiting for the stream's queue to fall below its high-water mark. */
  private waiting: (() => void)[] = [];

  constructor(
    private readonly stream: QuicStream,
    head: RequestHead,
    private readonly decoder: RequestStreamDecoder,
    private readonly rest: RequestStreamEvent[],
    /** What the stream reported between its head and this exchange: replayed to the exchange's handler. */
    private readonly late: readonly LateEvent[],
    private readonly session: Http3Connection,
    /** Called once, when the exchange is over either way. */
    private readonly settled: () => void,
  ) {
    this.method = head.method;
    this.path = head.path ?? '/';
    this.authority = head.authority;
    this.fields = head.fields;
    this.headOnly = rest[0]?.type === 'end';
    const { remote, local } = session.quicConnection;
    this.peer = {
      remoteAddress: remote.host,
      remotePort: remote.port,
      remoteFamily: remote.host.includes(':') ? 'IPv6' : 'IPv4',
      localAddress: local.host,
      localPort: local.port,
      encrypted: true,
      alpnProtocol: 'h3',
    };
  }

  read(sink: RequestBodySink): void {
    this.sink = sink;
    this.stream.handler = {
      data: (chunk, fin) => this.deliver(this.decoder.receive(chunk, fin)),
      reset: (code) => this.abort(new Error(`the client reset the request stream with code 0x${code.toString(16)}`)),
      stopped: (code) => this.abort(new Error(`the client stopped the response with code 0x${code.toString(16)}`)),
      drain: () => {
        const waiting = this.waiting;
        this.waiting = [];
        for (const done of waiting) done();
      },
      closed: (error) => this.abort(error),
    };
    // What came with the request's header section, what happened to the stream since, then the rest as the application reads.
    this.deliver(this.rest);
    for (const late of this.late) if (!this.over) late(this.stream.handler);
    if (!this.over) this.stream.resume();
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  informational(status: number, fields: FieldList): void {
    if (!this.over) this.stream.write(encodeHeaders([[':status', String(status)], ...fields]));
  }

  respond(status: number, fields: FieldList, end: boolean): void {
    if (this.over) return;
    this.stream.write(encodeHeaders([[':status', String(status)], ...fields]));
    if (end) this.endResponse();
  }

  write(chunk: Buffer, done: () => void): void {
    if (this.over) return done();
    this.stream.write(encodeDataHeader(chunk.length));
    if (this.stream.write(chunk)) done();
    else this.waiting.push(done);
  }

  end(trailers: FieldList | undefined): void {
    if (this.over) return;
    if (trailers !== undefined) this.stream.write(encodeHeaders(trailers));
    this.endResponse();
  }

  reset(): void {
    if (this.over) return;
    this.stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    this.finish();
  }

  discard(): void {
    if (this.over) return;
    // RFC 9114 §4.1.2: after a complete response the server may ask the client to stop sending, without error.
    this.stream.stopReading(H3ErrorCode.H3_NO_ERROR);
    this.requestEnded = true;
    if (this.responseEnded) this.close();
  }

  private endResponse(): void {
    this.stream.end();
    this.responseEnded = true;
    if (this.requestEnded) this.close();
  }

  private deliver(events: readonly RequestStreamEvent[]): void {
    for (const event of events) {
      if (this.over) return;
      switch (event.type) {
        case 'data':
          this.sink!.data(event.data);
          break;
        case 'trailers':
          this.sink!.trailers(event.fields);
          break;
        case 'end':
          this.requestEnded = true;
          this.sink!.end();
          if (this.responseEnded) this.close();
          break;
        case 'error':
          // A malformed request (RFC 9114 §4.1.2) or a frame out of place: the stream or the connection ends with its code.
          if (event.error.isConnectionError) this.session.connectionError(event.error);
          else this.stream.reset(event.error.wireCode);
          this.abort(event.error);
          break;
        default:
          break;
      }
    }
  }

  private abort(error: Error): void {
    if (this.over) return;
    this.sink!.abort(error);
    // What we had not sent yet will not be: both directions end here.
    this.stream.reset(H3ErrorCode.H3_REQUEST_CANCELLED);
    this.finish();
  }

  private close(): void {
    this.sink!.closed();
    this.finish();
  }

  private finish(): void {
    if (this.over) return;
    this.over = true;
    this.settled();
  }
}
