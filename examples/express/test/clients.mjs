// One ordinary request over HTTP/1.1 (node:https), HTTP/2 (node:http2) or HTTP/3 (@wstack/http3),
// to a server with a development certificate (hence no certificate check).
import { request as httpsRequest } from 'node:https';
import { connect as connectHttp2 } from 'node:http2';
import { request as http3Request, SessionPool } from '@wstack/http3';

export const TRANSPORTS = ['http/1.1', 'h2', 'h3'];

/** send(transport, { method, path, headers, body }) → { status, headers, body: Buffer }; close() ends the connections. */
export function clientsFor(port) {
  const origin = `https://127.0.0.1:${port}`;
  const pool = new SessionPool();
  const session = connectHttp2(origin, { rejectUnauthorized: false });
  session.on('error', () => undefined);
  return {
    send(transport, request) {
      // No content-length, even for a body of known size: over HTTP/2 and HTTP/3 the stream's end delimits it, and Express must still find it.
      if (transport === 'http/1.1') return overHttp1(port, request);
      if (transport === 'h2') return overHttp2(session, request);
      const { method = 'GET', path, headers = {}, body } = request;
      return http3Request(origin + path, { method, headers, ...(body ? { body } : {}), tls: { rejectUnauthorized: false }, pool });
    },
    close() {
      session.close();
      pool.close();
    },
  };
}

function overHttp1(port, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    // ALPN http/1.1 only: the server would pick HTTP/2 if offered it.
    const options = { host: '127.0.0.1', port, method, path, headers, rejectUnauthorized: false, agent: false, ALPNProtocols: ['http/1.1'] };
    const request = httpsRequest(options, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

function overHttp2(session, { method = 'GET', path, headers = {}, body }) {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, ...headers }, { endStream: body === undefined });
    let answer = {};
    const chunks = [];
    stream.once('response', (fields) => (answer = fields));
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.once('end', () => resolve({ status: Number(answer[':status']), headers: answer, body: Buffer.concat(chunks) }));
    stream.once('error', reject);
    if (body !== undefined) stream.end(body);
  });
}
