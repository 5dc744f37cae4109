/**
 * One cleartext port for HTTP/1.1 and HTTP/2 with prior knowledge (RFC 9113
 * §3.3): an h2c client opens with the 24-byte connection preface
 * "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (§3.4), which no HTTP/1.1 request line
 * starts with. The first bytes of a connection decide where it goes; they are
 * put back on the socket before it is handed over.
 */
import type { Socket } from 'node:net';

export const CONNECTION_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export type Verdict = 'h2' | 'http/1.1' | undefined;

/** 'h2' once the whole preface is there, 'http/1.1' at the first byte that differs, undefined while unsure. */
export function judgePreface(received: Buffer): Verdict {
  const length = Math.min(received.length, CONNECTION_PREFACE.length);
  if (received.compare(CONNECTION_PREFACE, 0, length, 0, length) !== 0) return 'http/1.1';
  return length === CONNECTION_PREFACE.length ? 'h2' : undefined;
}

export interface PrefaceRoutes {
  h2(socket: Socket): void;
  http1(socket: Socket): void;
}

/**
 * Reads the first bytes of `socket` and hands it, with those bytes put back,
 * to `routes.h2` or `routes.http1`. A socket that does not decide within
 * `timeout` ms is destroyed.
 */
export function routeByPreface(socket: Socket, routes: PrefaceRoutes, timeout: number): void {
  let received: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeout);
  const stop = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('close', onClose);
  };
  const onError = () => undefined;
  const onClose = () => stop();
  const onData = (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const verdict = judgePreface(received);
    if (verdict === undefined) return;
    stop();
    socket.pause();
    socket.unshift(received);
    if (verdict === 'h2') {
      // node:http2 feeds bytes already buffered on the socket to the new session.
      routes.h2(socket);
    } else {
      routes.http1(socket);
      // node:http reads through 'data' listeners, which do not restart a socket paused by hand.
      socket.resume();
    }
  };
  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
}
