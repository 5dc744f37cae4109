/**
 * ws's createWebSocketStream: a Duplex over a socket of `wstack/ws`.
 * Messages are read as chunks (pausing the socket while the readable side
 * is full), writes are sent as binary messages (text in object mode or
 * with a string encoding) with their callbacks, and the end of writing
 * starts the closing handshake.
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import { WebSocket } from './websocket.js';

export function createWebSocketStream(ws: WebSocket, options: DuplexOptions = {}): Duplex {
  const whenOpen = (then: () => void) => (ws.readyState === WebSocket.CONNECTING ? ws.once('open', then) : then());
  let ended = false;
  const duplex: Duplex = new Duplex({
    ...options,
    autoDestroy: false,
    emitClose: false,
    objectMode: false,
    writableObjectMode: false,
    read() {
      if (ws.isPaused) ws.resume();
    },
    write(chunk: Buffer | string, _encoding, callback) {
      whenOpen(() => ws.send(chunk, callback));
    },
    final(callback) {
      whenOpen(() => {
        if (ws.readyState === WebSocket.CLOSED) return callback();
        ws.once('close', () => callback());
        ws.close();
      });
    },
    destroy(error, callback) {
      if (ws.readyState === WebSocket.CLOSED) return callback(error);
      ws.once('close', () => callback(error));
      ws.terminate();
    },
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const chunk = !isBinary && duplex.readableObjectMode ? data.toString() : data;
    if (!duplex.push(chunk)) ws.pause();
  });
  ws.once('error', (error: Error) => {
    if (!duplex.destroyed) duplex.destroy(error);
  });
  ws.once('close', () => {
    if (ended || duplex.destroyed) return;
    ended = true;
    duplex.push(null);
  });
  duplex.on('end', () => {
    if (duplex.writableFinished || ws.readyState === WebSocket.CLOSED) duplex.destroy();
  });
  return duplex;
}
