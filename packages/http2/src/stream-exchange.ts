/**
 * An ordinary HTTP/2 request (not a WebSocket's CONNECT) as core's
 * RequestExchange: node:http request listeners serve it through real
 * node:http objects (core's serveExchange), which Express and Koa accept;
 * node:http2's compatibility objects they do not.
 */
import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { ExchangePeer, FieldList, RequestBodySink, RequestExchange } from '@wstack/core';

export class StreamExchange implements RequestExchange {
  readonly httpVersion = '2.0';
  readonly method: string;
  readonly path: string;
  readonly authority: string | undefined;
  readonly fields: FieldList;
  readonly headOnly: boolean;
  readonly peer: ExchangePeer;
  private trailers: FieldList | undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[] | undefined,
    flags: number,
  ) {
    this.headOnly = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    this.method = headers[':method'] ?? 'GET';
    this.path = headers[':path'] ?? '/';
    this.authority = headers[':authority'];
    this.fields = regularFields(headers, rawHeaders);
    const socket = stream.session?.socket;
    this.peer = {
      remoteAddress: socket?.remoteAddress,
      remotePort: socket?.remotePort,
      remoteFamily: socket?.remoteFamily,
      localAddress: socket?.localAddress,
      localPort: socket?.localPort,
      encrypted: (socket as { encrypted?: boolean } | undefined)?.encrypted === true,
      alpnProtocol: 'h2',
    };
  }

  read(sink: RequestBodySink): void {
    const stream = this.stream;
    let ended = false;
    // A stream error is the exchange's end, never an exception of the process.
    stream.on('error', () => undefined);
    stream.on('data', (chunk: Buffer) => sink.data(chunk));
    stream.once('trailers', (trailers: IncomingHttpHeaders) => sink.trailers(regularFields(trailers, undefined)));
    stream.once('end', () => {
      ended = true;
      sink.end();
    });
    stream.once('close', () => {
      // RST_STREAM, GOAWAY or a lost connection before both sides were done.
      if (!ended || stream.rstCode !== constants.NGHTTP2_NO_ERROR || !stream.writableFinished) sink.abort(new Error(`the HTTP/2 stream closed with code ${stream.rstCode ?? 'none'}`));
      else sink.closed();
    });
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  informational(status: number, fields: FieldList): void {
    if (this.open) this.stream.additionalHeaders({ ...headerObject(fields), ':status': status });
  }

  respond(status: number, fields: FieldList, end: boolean): void {
    if (!this.open) return;
    const headers = headerObject(fields);
    headers[':status'] = status;
    // Trailers may follow any content (RFC 9113 §8.1), announced or not: the stream stays open for them after the last DATA
    // (with none, node:http2 ends it with an empty DATA frame).
    const waitForTrailers = !end;
    if (waitForTrailers) this.stream.once('wantTrailers', () => this.stream.sendTrailers(headerObject(this.trailers ?? [])));
    try {
      this.stream.respond(headers, { endStream: end, waitForTrailers });
    } catch {
      // A field node:http2 refuses (node:http took it): the exchange cannot be answered as written.
      this.reset();
    }
  }

  write(chunk: Buffer, done: () => void): void {
    if (!this.open) return done();
    this.stream.write(chunk, () => done());
  }

  end(trailers: FieldList | undefined): void {
    this.trailers = trailers;
    if (this.open) this.stream.end();
  }

  reset(): void {
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  }

  discard(): void {
    // Read and drop the rest (core drops it): a RST_STREAM(NO_ERROR) could overtake DATA still queued in nghttp2.
    this.stream.resume();
  }

  private get open(): boolean {
    return !this.stream.destroyed && !this.stream.closed;
  }
}

/** The regular fields in order (the raw list keeps repeats apart), names in lowercase as HTTP/2 has them. */
function regularFields(headers: IncomingHttpHeaders, rawHeaders: readonly string[] | undefined): FieldList {
  const fields: FieldList = [];
  if (rawHeaders !== undefined) {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) if (!rawHeaders[i]!.startsWith(':')) fields.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
    return fields;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [String(value)]) fields.push([name, one]);
  }
  return fields;
}

function headerObject(fields: FieldList): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of fields) {
    const before = headers[name];
    headers[name] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [String(before), value];
  }
  return headers;
}
