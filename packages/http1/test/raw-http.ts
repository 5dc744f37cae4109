/** Raw HTTP/1.1 over TCP, to see exactly what the server answers. */
import { connect, createServer, type Server, type Socket } from 'node:net';

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

export function upgradeRequest(path = '/', headers: Record<string, string> = {}, requestLine?: string): string {
  const all: Record<string, string> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  const lines = Object.entries(all)
    .filter(([, value]) => value !== '')
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return `${requestLine ?? `GET ${path} HTTP/1.1`}\r\n${lines.join('')}\r\n`;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Bytes after the head of a 101 answer, if any arrived with it. */
  rest: Buffer;
  socket: Socket;
}

/** Sends raw bytes and reads the answer's head (and the body, until the server closes, for non-101). */
export function rawRequest(port: number, data: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const parse = (): RawAnswer | undefined => {
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const [statusLine, ...fields] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const field of fields) {
        const colon = field.indexOf(':');
        headers[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
      }
      const rest = received.subarray(end + 4);
      return { status: Number(statusLine!.split(' ')[1]), headers, body: rest.toString(), rest, socket };
    };
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const answer = parse();
      if (answer?.status === 101) {
        // Later bytes wait in the socket for whoever reads next.
        socket.pause();
        socket.removeAllListeners('data');
        socket.removeAllListeners('end');
        resolve(answer);
      }
    });
    socket.on('end', () => {
      const answer = parse();
      if (answer) resolve(answer);
      else reject(new Error(`connection ended without an answer: ${JSON.stringify(received.toString())}`));
      socket.end();
    });
    socket.on('error', reject);
    socket.write(data);
  });
}

/** A TCP server that answers every connection with `answer` (then, optionally, keeps the socket open). */
export async function fakeServer(answer: (request: string, socket: Socket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    let request = '';
    socket.on('data', (chunk) => {
      request += chunk.toString('latin1');
      if (request.includes('\r\n\r\n')) answer(request, socket);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/** The Sec-WebSocket-Key of a raw request. */
export function keyOf(request: string): string {
  return /sec-websocket-key: *([^\r\n]+)/i.exec(request)![1]!;
}
