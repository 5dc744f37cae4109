/**
 * One ordinary request over HTTP/1.1 (node:https), HTTP/2 (node:http2) or
 * HTTP/3 (@wstack/http3's request client), for the tests of request
 * listeners on every transport. `abortAfter` sends that much of the body
 * and then resets the request (the TCP connection, the HTTP/2 stream, the
 * HTTP/3 stream).
 */
import { request as httpsRequest } from 'node:https';
import { connect as connectHttp2, constants } from 'node:http2';
import { request as http3Request, SessionPool } from '@wstack/http3';

export type Transport = 'http/1.1' | 'h2' | 'h3';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  trailers: Record<string, string | string[] | undefined>;
}

export interface RequestSpec {
  method?: string;
  path: string;
  body?: Buffer;
  headers?: Record<string, string>;
  /** Send this many bytes of `body`, then reset the request; resolves once the reset is sent. */
  abortAfter?: number;
}

/** A client per transport for one origin; `close` ends its connections. */
export function clientFor(port: number) {
  const origin = `https://127.0.0.1:${port}`;
  const pool = new SessionPool({ idleTimeout: Infinity });
  const session = connectHttp2(origin, { rejectUnauthorized: false });
  session.on('error', () => undefined);
  return {
    send(transport: Transport, spec: RequestSpec): Promise<Reply | undefined> {
      if (transport === 'http/1.1') return overHttp1(port, spec);
      if (transport === 'h2') return overHttp2(session, spec);
      return overHttp3(origin, pool, spec);
    },
    close() {
      session.close();
      pool.close();
    },
  };
}

function overHttp1(port: number, spec: RequestSpec): Promise<Reply | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest({ host: '127.0.0.1', port, method: spec.method ?? 'GET', path: spec.path, headers: spec.headers, rejectUnauthorized: false, agent: false, ALPNProtocols: ['http/1.1'] }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks), trailers: response.trailers }));
    });
    if (spec.abortAfter !== undefined) {
      request.on('error', () => resolve(undefined));
      request.write(spec.body!.subarray(0, spec.abortAfter), () => setTimeout(() => request.destroy(), 50));
      return;
    }
    request.on('error', reject);
    request.end(spec.body);
  });
}

function overHttp2(session: ReturnType<typeof connectHttp2>, spec: RequestSpec): Promise<Reply | undefined> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': spec.method ?? 'GET', ':path': spec.path, ...spec.headers }, { endStream: spec.body === undefined });
    if (spec.abortAfter !== undefined) {
      stream.on('error', () => undefined);
      stream.write(spec.body!.subarray(0, spec.abortAfter), () => setTimeout(() => {
        stream.close(constants.NGHTTP2_CANCEL);
        resolve(undefined);
      }, 50));
      return;
    }
    let status = 0;
    let headers: Reply['headers'] = {};
    let trailers: Reply['trailers'] = {};
    const chunks: Buffer[] = [];
    stream.once('trailers', (fields) => (trailers = fields as Reply['trailers']));
    stream.once('response', (fields) => {
      status = Number(fields[':status']);
      headers = fields as Reply['headers'];
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve({ status, headers, body: Buffer.concat(chunks), trailers }));
    stream.once('error', reject);
    if (spec.body !== undefined) stream.end(spec.body);
  });
}

async function overHttp3(origin: string, pool: SessionPool, spec: RequestSpec): Promise<Reply | undefined> {
  const options = { method: spec.method ?? 'GET', tls: { rejectUnauthorized: false }, pool, ...(spec.headers ? { headers: spec.headers } : {}) };
  if (spec.abortAfter === undefined) {
    const reply = await http3Request(origin + spec.path, { ...options, ...(spec.body ? { body: spec.body } : {}) });
    return reply;
  }
  const controller = new AbortController();
  const part = spec.body!.subarray(0, spec.abortAfter);
  async function* partial() {
    yield part;
    setTimeout(() => controller.abort(), 50);
    await new Promise(() => undefined);
  }
  await http3Request(origin + spec.path, { ...options, body: partial(), signal: controller.signal }).catch(() => undefined);
  return undefined;
}
