/**
 * The server of `wstack/ws`: the API of the `ws` package's WebSocketServer
 * (version 8). `port` runs a node:http server of its own (HTTP/1.1, as ws
 * does); `server` takes a node:http or node:https server, a node:http2
 * server, or what wstack's `createServer` returns — then WebSockets that
 * arrive over HTTP/1.1, HTTP/2 and HTTP/3 all come out as ws-style sockets;
 * `noServer` leaves the upgrades to `handleUpgrade`.
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketConnection } from '@wstack/core';
import { WebSocketServer as Http1Engine } from '@wstack/http1';
import { WebSocketServer as Http2Engine } from '@wstack/http2';
import { Server as WstackServer } from '../server.js';
import { handshakePolicy, pathMatches, requestOf, type WsHandshakeOptions } from './handshake-policy.js';
import { ADOPT, WebSocket } from './websocket.js';

export interface WsServerOptions extends WsHandshakeOptions {
  port?: number;
  host?: string;
  backlog?: number;
  server?: HttpServer | Http2Server | Http2SecureServer | WstackServer;
  noServer?: boolean;
  /** Track the open sockets in `clients`. Default true. */
  clientTracking?: boolean;
  /** The class of the sockets handed over (a subclass of this module's WebSocket). */
  WebSocket?: typeof WebSocket;
  // Accepted for ws compatibility, without effect: wstack validates UTF-8 always and emits events as they come.
  skipUTF8Validation?: boolean;
  allowSynchronousEvents?: boolean;
}

type UpgradeCallback = (socket: WebSocket, request: IncomingMessage) => void;

const enum State {
  Running,
  Closing,
  Closed,
}

export class WebSocketServer extends EventEmitter {
  readonly options: WsServerOptions;
  /** The open sockets, with `clientTracking` (the default). */
  readonly clients: Set<WebSocket> | undefined;
  private readonly engine: Http1Engine;
  private readonly callbacks = new WeakMap<IncomingMessage, UpgradeCallback>();
  private httpServer: HttpServer | undefined;
  private ownServer = false;
  private release: (() => void) | undefined;
  private state = State.Running;

  constructor(options: WsServerOptions, callback?: () => void) {
    super();
    const modes = [options.port !== undefined, options.server !== undefined, options.noServer === true].filter(Boolean).length;
    if (modes !== 1) throw new TypeError('One and only one of the "port", "server", or "noServer" options must be specified');
    this.options = options;
    this.clients = options.clientTracking === false ? undefined : new Set();
    const policy = handshakePolicy(options, {
      accepted: (connection, request) => this.accepted(connection, request),
      answerLines: (lines, request) => this.emit('headers', lines, request),
    });
    this.engine = new Http1Engine(policy);
    this.engine.on('rejection', (rejection, request) => {
      if (this.listenerCount('wsClientError') === 0) return;
      const error = Object.assign(new Error(rejection.body ?? `refused with ${rejection.status}`), { status: rejection.status });
      this.emit('wsClientError', error, undefined, request === undefined ? undefined : requestOf(request));
    });
    if (callback !== undefined) this.once('listening', callback);
    const server = options.server;
    if (options.port !== undefined) {
      this.ownServer = true;
      this.listenOn(createHttpServer(upgradeRequired), options);
    } else if (server instanceof WstackServer) {
      this.release = server.delegate((request) => pathMatches(options.path, request.path), policy);
    } else if (server !== undefined && isHttp2Server(server)) {
      const http2 = new Http2Engine(policy);
      http2.attach(server);
      this.release = () => void http2.close();
    } else if (server !== undefined) {
      this.attachTo(server as HttpServer);
    }
  }

  /** Where the server listens: ws's `address()`; in noServer mode an error. */
  address(): AddressInfo | string | null {
    if (this.options.noServer) throw new Error('The server is operating in "noServer" mode');
    if (this.options.server instanceof WstackServer) return this.options.server.address;
    return (this.options.server as HttpServer | undefined)?.address() ?? this.httpServer?.address() ?? null;
  }

  /** Whether a request is for this server (its `path`); ws's hook for subclasses. */
  shouldHandle(request: IncomingMessage): boolean {
    return pathMatches(this.options.path, request.url);
  }

  /**
   * Completes the handshake of an HTTP/1.1 upgrade request and calls back
   * with the socket; a request this server does not take is answered 400
   * (its path) or as the policy says (verifyClient, a bad handshake).
   */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: UpgradeCallback): void {
    socket.on('error', () => socket.destroy());
    if (this.state !== State.Running || !this.shouldHandle(request)) return refuse(socket, this.state === State.Running ? 400 : 503);
    this.callbacks.set(request, callback);
    this.engine.handleUpgrade(request, socket, head);
  }

  /**
   * Stops taking WebSockets; the sockets open stay open (ws 8). 'close'
   * follows once they have all closed, when tracked; the callback gets it,
   * or an error when the server was closed already.
   */
  close(callback?: (error?: Error) => void): void {
    if (this.state === State.Closed) {
      if (callback !== undefined) process.nextTick(callback, new Error('The server is not running'));
      return;
    }
    if (callback !== undefined) this.once('close', callback);
    if (this.state === State.Closing) return;
    this.state = State.Closing;
    this.release?.();
    if (this.ownServer) this.httpServer!.close();
    this.closeWhenEmpty();
  }

  private accepted(connection: WebSocketConnection, request: IncomingMessage): void {
    const Socket = this.options.WebSocket ?? WebSocket;
    const socket = new Socket(null);
    socket[ADOPT](connection);
    if (this.clients !== undefined) {
      this.clients.add(socket);
      socket.once('close', () => {
        this.clients!.delete(socket);
        this.closeWhenEmpty();
      });
    }
    const callback = this.callbacks.get(request);
    this.callbacks.delete(request);
    if (callback !== undefined) callback(socket, request);
    else this.emit('connection', socket, request);
  }

  private closeWhenEmpty(): void {
    if (this.state !== State.Closing || (this.clients?.size ?? 0) !== 0) return;
    this.state = State.Closed;
    process.nextTick(() => this.emit('close'));
  }

  private listenOn(server: HttpServer, options: WsServerOptions): void {
    this.attachTo(server);
    server.listen(options.port, options.host, options.backlog);
  }

  /** Upgrades for this server's path are its own; others are left to the server's other listeners, or refused with 400 as ws does. */
  private attachTo(server: HttpServer): void {
    this.httpServer = server;
    const onListening = () => this.emit('listening');
    const onError = (error: Error) => this.emit('error', error);
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!this.shouldHandle(request) && server.listenerCount('upgrade') > 1) return;
      this.handleUpgrade(request, socket, head, (ws) => this.emit('connection', ws, request));
    };
    server.on('listening', onListening);
    server.on('error', onError);
    server.on('upgrade', onUpgrade);
    this.release = () => {
      server.off('listening', onListening);
      server.off('error', onError);
      server.off('upgrade', onUpgrade);
    };
  }
}

/** ws's answer to a plain request on its own server. */
function upgradeRequired(_request: IncomingMessage, response: ServerResponse): void {
  const body = 'Upgrade Required';
  response.writeHead(426, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  response.end(body);
}

function refuse(socket: Duplex, status: number): void {
  const text = status === 400 ? 'Bad Request' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

function isHttp2Server(server: object): server is Http2Server | Http2SecureServer {
  // node:http2's servers emit 'stream'; node:http's have no such event and no `updateSettings`.
  return typeof (server as { updateSettings?: unknown }).updateSettings === 'function';
}
