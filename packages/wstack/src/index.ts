/**
 * wstack: WebSocket for Node.js over HTTP/1.1, HTTP/2 and HTTP/3. This
 * entry point gathers the transports and the protocol core.
 */
export * from '@wstack/core';
export { WebSocketServer as Http1Server, connect as connectHttp1 } from '@wstack/http1';
export type { Http1ServerOptions, Http1ClientOptions } from '@wstack/http1';
export { WebSocket, CloseEvent } from './websocket.js';
export type { BinaryType, WebSocketOptions } from './websocket.js';
