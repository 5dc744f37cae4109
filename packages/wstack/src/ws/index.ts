/**
 * `wstack/ws`: the API of the `ws` package (version 8) over every wstack
 * transport. Code written for ws runs unchanged with `ws` replaced by
 * `wstack/ws`; `new WebSocketServer({ server })` given what wstack's
 * `createServer` returns serves the same sockets over HTTP/1.1, HTTP/2 and
 * HTTP/3, and the client's `transport` option picks one.
 */
import { WebSocketServer } from './server.js';
import { createWebSocketStream } from './stream.js';
import { WebSocket } from './websocket.js';

export { WebSocket, WebSocketServer, WebSocketServer as Server, createWebSocketStream };
export type { WsServerOptions } from './server.js';
export type { WsClientOptions, UpgradeResponse } from './client-options.js';
export type { WsPerMessageDeflate } from './deflate-options.js';
export type { VerifyClient, VerifyClientInfo, VerifyClientCallback, WsHandshakeOptions } from './handshake-policy.js';
export type { BinaryType, WsSendOptions, SendCallback } from './websocket.js';

/** ws's default export: the socket class, with the server and the stream helper on it. */
const ws = Object.assign(WebSocket, { WebSocket, WebSocketServer, Server: WebSocketServer, createWebSocketStream }) as typeof WebSocket & {
  WebSocket: typeof WebSocket;
  WebSocketServer: typeof WebSocketServer;
  Server: typeof WebSocketServer;
  createWebSocketStream: typeof createWebSocketStream;
};
export default ws;
