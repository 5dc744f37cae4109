/**
 * Static files for the ordinary requests of a server (`wstack serve
 * --static DIR`): GET and HEAD of the files under one folder, on HTTP/1.1,
 * HTTP/2 and HTTP/3 alike. Nothing outside the folder is reachable: the decoded
 * path is resolved and must stay inside it.
 */
import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

export function staticFiles(folder: string): RequestListener {
  const root = resolve(folder);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`not a folder: ${folder}`);
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(response, 405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    const file = fileFor(root, request);
    const stats = file === undefined ? undefined : statSync(file, { throwIfNoEntry: false });
    if (file === undefined || stats === undefined || !stats.isFile()) return answer(response, 404, 'Not Found\n');
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': stats.size,
    });
    if (request.method === 'HEAD') return void response.end();
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response);
  };
}

/** The file a request names, or undefined when the path is malformed or leaves the folder. */
function fileFor(root: string, request: IncomingMessage): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const file = resolve(root, `.${path}`);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  return path.endsWith('/') ? join(file, 'index.html') : file;
}

function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  response.end(body);
}
