/**
 * The socket of a ServerResponse that answers over HTTP/2 or HTTP/3. What
 * node:http writes to it, HTTP/1.1, is read back: each head becomes a
 * header section (1xx ones interim), the bytes after the final head become
 * content (out of the chunked coding when node:http chose it), the trailer
 * section of the last chunk becomes trailers, and the response's end ends
 * the stream. node:http thus keeps every rule it applies to a response
 * (HEAD and 204/304 without content, header validation, `Date`), and the
 * transport frames the result.
 *
 * A response whose content does not match the content-length it declared
 * is reset rather than sent malformed (RFC 9113 §8.1.1, RFC 9114 §4.1.2).
 */
import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { ChunkedDecoder } from './chunked-body.js';
import { declaredLength, parseResponseHead, type FieldList, type ResponseHead } from './response-head.js';
import type { RequestExchange } from './exchange.js';

const HEAD_END = '\r\n\r\n';

export class ResponseWire extends Writable {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly encrypted: boolean | undefined;
  readonly alpnProtocol: string;
  /**
   * node:http's socket stays readable while the connection lives, and
   * on-finished (Express's body-parser) takes a request on a socket that is
   * not for one already read. The request's content is fed by the exchange,
   * never read from here.
   */
  readable = true;
  private response: ServerResponse | undefined;
  /** The head read so far, as latin1 text (one character a byte). */
  private headText = '';
  private final: ResponseHead | undefined;
  private responded = false;
  /** The stream ended (or was reset) on our side. */
  private over = false;
  /** The content-length to hold the content to, when one applies. */
  private expected: number | undefined;
  private sent = 0;
  /** The content's chunked coding, when node:http chose it (the length was not known). */
  private chunks: ChunkedDecoder | undefined;
  /** The trailer section that ended the chunked content. */
  private trailers: FieldList | undefined;

  constructor(private readonly exchange: RequestExchange) {
    super();
    // Errors of this socket (a write after its end) are not the application's: node:http's socket errors never reach it either.
    this.on('error', () => undefined);
    const { peer } = exchange;
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.remoteFamily = peer.remoteFamily;
    this.localAddress = peer.localAddress;
    this.localPort = peer.localPort;
    // node:http sets `encrypted` only on TLS sockets; `req.protocol` tests for its presence.
    this.encrypted = peer.encrypted ? true : undefined;
    this.alpnProtocol = peer.alpnProtocol;
  }

  /** The response this socket carries. */
  serve(response: ServerResponse): void {
    this.response = response;
    response.once('finish', () => this.finish());
    // node:http's server forwards its socket's 'drain' to the response that waits on it, and clears the response's
    // need of one (`writableNeedDrain`, which Readable.pipe reads); there is no server here. The flag is the
    // response's own symbol property.
    const needDrain = Object.getOwnPropertySymbols(response).filter((symbol) => symbol.description === 'kNeedDrain');
    this.on('drain', () => {
      if (response.writableEnded) return;
      for (const symbol of needDrain) (response as unknown as Record<symbol, boolean>)[symbol] = false;
      response.emit('drain');
    });
  }

  /**
   * The stream is over: the response's 'close' follows. After a complete
   * exchange the socket ends (nothing is left in it: the response finished);
   * after an abort it is destroyed, and what it held is dropped.
   */
  gone(aborted: boolean): void {
    this.over = true;
    this.readable = false;
    if (aborted) this.destroy();
    else this.end();
  }

  // The request's flow is the exchange's (request-exchange.ts): nothing to pause or resume here.
  pause(): this {
    return this;
  }

  resume(): this {
    return this;
  }

  // What node:http calls on its sockets, with nothing to do here: the transport keeps its own timers and buffers.
  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): { address: string | undefined; port: number | undefined; family: string | undefined } {
    return { address: this.localAddress, port: this.localPort, family: this.remoteFamily };
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.over || chunk.length === 0) return done();
    if (this.final === undefined) {
      const rest = this.readHead(chunk);
      if (rest === undefined || rest.length === 0) {
        // No content yet: the head may be all there is, which the end of the response tells ('finish').
        if (this.final !== undefined) queueMicrotask(() => this.headAlone());
        return done();
      }
      chunk = rest;
    }
    if (this.chunks === undefined) return this.sendContent([chunk], done);
    const pieces = this.chunks.push(chunk);
    if (pieces.trailers !== undefined) this.trailers = pieces.trailers;
    this.sendContent(pieces.content, done);
  }

  private sendContent(content: Buffer[], done: () => void): void {
    let waiting = content.length;
    if (waiting === 0) return done();
    this.sendHead(false);
    for (const piece of content) {
      this.sent += piece.length;
      if (this.expected !== undefined && this.sent > this.expected) {
        this.abandon();
        return done();
      }
      this.exchange.write(piece, () => {
        if (--waiting === 0) done();
      });
    }
  }

  override _destroy(_error: Error | null, callback: (error?: Error | null) => void): void {
    // The application destroyed the response (or its socket): the stream is reset. No 'error': the socket is ours.
    this.abandon();
    callback();
  }

  /** Reads heads out of `chunk`: interim ones are sent at once; what follows the final one is returned. */
  private readHead(chunk: Buffer): Buffer | undefined {
    const before = this.headText.length;
    this.headText += chunk.toString('latin1');
    const end = this.headText.indexOf(HEAD_END);
    if (end === -1) return undefined;
    const head = parseResponseHead(this.headText.slice(0, end));
    const rest = chunk.subarray(end + HEAD_END.length - before);
    this.headText = '';
    if (head.status < 200) {
      this.exchange.informational(head.status, head.fields);
      return rest.length === 0 ? undefined : this.readHead(rest);
    }
    this.final = head;
    if (head.chunked) this.chunks = new ChunkedDecoder();
    const bodiless = this.response!.req.method === 'HEAD' || head.status === 204 || head.status === 304;
    this.expected = bodiless ? undefined : declaredLength(head.fields);
    return rest;
  }

  /** A head written without content (flushHeaders, writeHead): sent now unless the response already ended, which 'finish' handles. */
  private headAlone(): void {
    if (!this.response!.writableEnded) this.sendHead(false);
  }

  /** The final head, once: with `end`, the response has no content (a content-length above 0 then makes it malformed). */
  private sendHead(end: boolean): void {
    if (this.responded || this.over) return;
    if (end && this.expected !== undefined && this.expected !== 0) return this.abandon();
    this.responded = true;
    this.exchange.respond(this.final!.status, this.final!.fields, end);
    if (end) this.over = true;
  }

  private finish(): void {
    if (this.over) return;
    const trailers = this.trailers?.length ? this.trailers : undefined;
    if (trailers === undefined && !this.responded) return this.sendHead(true);
    this.sendHead(false);
    if (this.expected !== undefined && this.sent !== this.expected) return this.abandon();
    this.over = true;
    this.exchange.end(trailers);
  }

  private abandon(): void {
    if (this.over) return;
    this.over = true;
    this.exchange.reset();
  }
}
