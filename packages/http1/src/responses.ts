/** HTTP/1.1 answers written on the raw socket of an upgrade request. */
import type { Duplex } from 'node:stream';
import { acceptKey } from '@wstack/protocol';
import { statusText, type AnswerHeaders, type Rejection } from '@wstack/core';

/** The 101 answer of RFC 6455 §4.2.2, with the fields a policy adds (answerHeaders). */
export function switchingProtocols(key: string, protocol: string, extensions: string, altSvc?: string, headers: AnswerHeaders = {}): string {
  let head = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (protocol !== '') head += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (extensions !== '') head += `Sec-WebSocket-Extensions: ${extensions}\r\n`;
  if (altSvc !== undefined) head += `Alt-Svc: ${altSvc}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    for (const one of typeof value === 'string' ? [value] : value) head += `${name}: ${one}\r\n`;
  }
  return head + '\r\n';
}

/** Writes a refusal and closes the socket once it is sent. */
export function writeRejection(socket: Duplex, rejection: Rejection): void {
  if (socket.destroyed) return;
  const body = Buffer.from(rejection.body ?? statusText(rejection.status));
  let head = `HTTP/1.1 ${rejection.status} ${statusText(rejection.status)}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\n`;
  for (const [name, value] of Object.entries(rejection.headers ?? {})) head += `${name}: ${value}\r\n`;
  socket.end(Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), body]));
}
