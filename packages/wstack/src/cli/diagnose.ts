/**
 * After a ws:// connection failed: does the port speak TLS? A TLS server
 * closes a plain HTTP request without an answer (the WebSocket clients see
 * a hang-up), so the CLI asks with a TLS handshake of its own, which only
 * tells whether TLS answers and trusts nothing it learns.
 */
import { connect } from 'node:tls';

const PROBE_TIMEOUT = 1000;

export function speaksTls(url: URL): Promise<boolean> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(url.port || 80), rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(PROBE_TIMEOUT, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A ws:// URL's TLS twin, for the hint. */
export const secureTwin = (url: URL) => new URL(url.href.replace(/^ws:/, 'wss:')).href;
