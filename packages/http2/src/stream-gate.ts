/**
 * How `attach` shares a node:http2 server's CONNECT streams with other
 * listeners. A CONNECT stream that a wstack server serves (extended CONNECT
 * with `:protocol` websocket, RFC 8441 §4, on a path it serves) is taken
 * before any listener sees it: neither node:http2's compatibility layer
 * (which would hand it to 'connect' listeners, or answer 405) nor another
 * 'stream' listener answers on it. Any other CONNECT stream is left to the
 * other listeners, nothing sent; when nobody else would answer it, wstack
 * refuses it (404, 501 for a CONNECT that is not a WebSocket's), as it did
 * alone.
 *
 * Who else answers: another 'stream' listener; or, when the server has a
 * 'request' listener, node:http2's compatibility layer, which hands CONNECT
 * requests to the 'connect' listeners (answering 405 when there are none:
 * so `attach` keeps one 'connect' listener, which refuses what no other
 * 'connect' listener takes).
 */
import type { Http2ServerRequest, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';

/** What `attach` needs of a node:http2 server. */
export interface StreamEmitter {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  on(event: string, listener: (...args: never[]) => void): unknown;
  listenerCount(event: string | symbol): number;
}

/** A wstack server as the gate sees it. */
export interface StreamTaker {
  servesStream(headers: IncomingHttpHeaders): boolean;
  /** Serves the stream, or refuses it with its proper status. */
  handleStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): void;
}

/** The wstack servers attached to each node:http2 server, in the order attached. */
const takersByServer = new WeakMap<StreamEmitter, StreamTaker[]>();

export function gateStreams(server: StreamEmitter, taker: StreamTaker): void {
  const known = takersByServer.get(server);
  if (known !== undefined) {
    if (!known.includes(taker)) known.push(taker);
    return;
  }
  const takers = [taker];
  takersByServer.set(server, takers);
  const emit = server.emit;
  // node:http2 emits 'stream' through the server's own emit: taking the event here comes before every listener.
  server.emit = function (this: StreamEmitter, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'stream') {
      const headers = args[1] as IncomingHttpHeaders;
      const serving = headers[':method'] === 'CONNECT' ? takers.find((candidate) => candidate.servesStream(headers)) : undefined;
      if (serving !== undefined) {
        serving.handleStream(args[0] as ServerHttp2Stream, headers, args[3] as string[] | undefined);
        return true;
      }
    }
    return emit.call(this, event, ...args);
  };
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _flags: number, rawHeaders?: string[]) => {
    if (headers[':method'] !== 'CONNECT' || server.listenerCount('stream') > 1) return;
    takers[0]!.handleStream(stream, headers, rawHeaders);
  });
  // With a 'request' listener the compatibility layer (itself a 'stream' listener) hands CONNECT here.
  server.on('connect', (request: Http2ServerRequest) => {
    if (server.listenerCount('connect') > 1) return;
    takers[0]!.handleStream(request.stream, request.headers, request.rawHeaders);
  });
}
