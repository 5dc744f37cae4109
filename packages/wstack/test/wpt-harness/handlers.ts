/**
 * The WebSocket handlers of WPT's server (websockets/handlers/*_wsh.py, run
 * by pywebsocket) that the kept test files use, written again on wstack's
 * server: each WebSocket comes as a tunnel (its raw frames) and is driven
 * by the sans-I/O Protocol of @wstack/protocol, because pywebsocket echoes
 * the reason of the client's close frame (echo_wsh.py's passive closing
 * handshake) and a WebSocketConnection answers a close with the code alone
 * (RFC 6455 §5.5.1 asks no more).
 *
 * - /echo (and any other path): takes the subprotocol "echo" when offered,
 *   no extension; echoes each text and binary message; after echoing the
 *   text "Goodbye" it closes with 1000; answers a close with the same code
 *   and reason, and a close without a code with an empty close frame.
 * - /referrer: sends the Referer header field it got, or
 *   "MISSING AS PER FETCH" (referrer_wsh.py).
 */
import { Protocol, type ProtocolEvent } from '@wstack/protocol';
import type { Tunnel, TunnelPolicy, UpgradeRequest } from '@wstack/core';
import { createServer, type CreateServerOptions, type Server } from '../../src/index.js';

/** echo_wsh.py's message that makes the server close. */
const GOODBYE = 'Goodbye';

function serve(tunnel: Tunnel, request: UpgradeRequest): void {
  const engine = new Protocol({ role: 'server', answerClose: false });
  let ended = false;
  const flush = () => {
    for (const chunk of engine.dataToSend()) tunnel.write(chunk);
    // TCP ends once the closing handshake is done; HTTP/2 and HTTP/3 streams end each way right after the close frame.
    const done = engine.outputEnded || (engine.closeSent !== undefined && tunnel.transport !== 'http/1.1');
    if (done && !ended) {
      ended = true;
      tunnel.end();
    }
  };
  const handle = (event: ProtocolEvent) => {
    switch (event.type) {
      case 'message':
        if (event.binary) engine.sendBinary(event.data);
        else engine.sendText(event.data);
        if (!event.binary && event.data.toString() === GOODBYE) engine.close(1000, '');
        break;
      case 'close':
        // 1005 is "no code": answered with no code.
        if (event.code === 1005) engine.close();
        else engine.close(event.code, event.reason);
        break;
      case 'error':
        engine.fail(event.error.closeCode);
        break;
    }
  };
  tunnel.on('data', (chunk) => {
    engine.receiveData(chunk);
    for (const event of engine.eventsReceived()) handle(event);
    flush();
  });
  tunnel.on('end', () => {
    engine.receiveEof();
    for (const event of engine.eventsReceived()) handle(event);
    flush();
  });
  if (request.pathname === '/referrer') {
    engine.sendText(request.headers.referer ?? 'MISSING AS PER FETCH');
    flush();
  }
}

const TUNNEL: TunnelPolicy = { open: serve, extensions: () => '' };

/** A server on wstack's createServer with these handlers on every path. */
export function createHandlerServer(options: CreateServerOptions = {}): Promise<Server> {
  return createServer({ ...options, protocols: ['echo'], tunnel: TUNNEL });
}
