/**
 * What a transport hands over for an ordinary request of HTTP/2 or HTTP/3
 * (one request stream), for serveExchange (request-exchange.ts) to serve
 * with node:http objects.
 */
import type { FieldList } from './response-head.js';

/** Where a request came from, as node:http's socket says it. */
export interface ExchangePeer {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  remoteFamily?: string | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
  /** TLS: frameworks read `req.socket.encrypted` to tell https from http. */
  encrypted: boolean;
  /** 'h2', 'h3'. */
  alpnProtocol: string;
}

/** What the exchange tells of the request's content. Every call comes at most once after `end` or `abort`. */
export interface RequestBodySink {
  data(chunk: Buffer): void;
  /** The request's trailer section, before `end`. */
  trailers(fields: FieldList): void;
  /** The request is complete. */
  end(): void;
  /** The stream was reset or its connection lost before the exchange was over. */
  abort(error: Error): void;
  /** Both directions are over: the response went out and the request was read (or reset). */
  closed(): void;
}

/** One request stream of HTTP/2 or HTTP/3, as the transport hands it over. */
export interface RequestExchange {
  readonly httpVersion: '2.0' | '3.0';
  readonly method: string;
  /** `:path` (RFC 9113 §8.3.1, RFC 9114 §4.3.1). */
  readonly path: string;
  readonly authority: string | undefined;
  /** The regular fields in order, names in lowercase. */
  readonly fields: FieldList;
  /** The request ended with its header section: it has no content (END_STREAM on HEADERS, or the FIN with them). */
  readonly headOnly: boolean;
  readonly peer: ExchangePeer;
  /** Starts delivering the request's content to `sink`. */
  read(sink: RequestBodySink): void;
  pause(): void;
  resume(): void;
  /** An interim (1xx) response. */
  informational(status: number, fields: FieldList): void;
  /** The response's header section; `end` when no content follows. */
  respond(status: number, fields: FieldList, end: boolean): void;
  /** Response content; `done` once the transport took it (the backpressure of the response). */
  write(chunk: Buffer, done: () => void): void;
  /** Ends the response, with a trailer section when there is one. */
  end(trailers: FieldList | undefined): void;
  /** Gives up the exchange (the response cannot be completed): the stream is reset. */
  reset(): void;
  /**
   * The response is complete and the request is not: the rest of its
   * content is not needed (RFC 9114 §4.1.2 lets a server stop reading it;
   * RFC 9113 §8.1, read and drop it). Nothing more reaches the sink but
   * `closed` or `abort`.
   */
  discard(): void;
}
