/** Promises for the events the suite waits on. */
import type { CloseDetails, Message, UpgradeRequest, WebSocketConnection } from '@wstack/core';

export function closed(connection: WebSocketConnection): Promise<CloseDetails> {
  if (connection.closeDetails !== undefined) return Promise.resolve(connection.closeDetails);
  return new Promise((resolve) => connection.once('close', resolve));
}

export function nextMessage(connection: WebSocketConnection): Promise<Message> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: Buffer, binary: boolean) => {
      connection.off('close', onClose);
      resolve({ data, binary });
    };
    const onClose = (details: CloseDetails) => {
      connection.off('message', onMessage);
      reject(new Error(`closed with ${details.code} before a message arrived`));
    };
    connection.once('message', onMessage);
    connection.once('close', onClose);
  });
}

/** Collects `count` messages. */
export function messages(connection: WebSocketConnection, count: number): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const received: Message[] = [];
    const onMessage = (data: Buffer, binary: boolean) => {
      received.push({ data, binary });
      if (received.length === count) {
        connection.off('message', onMessage);
        connection.off('close', onClose);
        resolve(received);
      }
    };
    const onClose = (details: CloseDetails) => {
      connection.off('message', onMessage);
      reject(new Error(`closed with ${details.code} after ${received.length} of ${count} messages`));
    };
    connection.on('message', onMessage);
    connection.once('close', onClose);
  });
}

export function once<T extends unknown[]>(connection: WebSocketConnection, event: 'ping' | 'pong' | 'drain'): Promise<T> {
  return new Promise((resolve) => connection.once(event, (...args: unknown[]) => resolve(args as T)));
}

/** Echoes every message back as it came. */
export function echo(connection: WebSocketConnection): void {
  connection.on('message', (data, binary) => {
    if (connection.readyState === 1) connection.send(data, { binary });
  });
}

/** A server handler that echoes, keeping each request and connection it accepted, in order. */
export function recordingEcho() {
  const requests: UpgradeRequest[] = [];
  const accepted: WebSocketConnection[] = [];
  const handler = (connection: WebSocketConnection, request: UpgradeRequest): void => {
    requests.push(request);
    accepted.push(connection);
    echo(connection);
  };
  return { requests, accepted, handler };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds (looked at every 10 ms); rejects naming `what` after `ms`. */
export async function until(condition: () => boolean, what = 'a condition', ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** What the connection receives from now on, as text ('bytes:' and hex for binary messages). */
export function inbox(connection: Pick<WebSocketConnection, 'on'>): string[] {
  const received: string[] = [];
  connection.on('message', (data, binary) => received.push(binary ? `bytes:${data.toString('hex')}` : data.toString()));
  return received;
}

/** Deterministic bytes of a given size (not all zero, so that masking shows). */
export function pattern(size: number, seed = 1): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}
