/** Another API on a transport server: delegate (accept.ts), and the answer's added header fields (answerHeaders). */
import t from 'tap';
import { TransportServer, type IncomingHandshake, type ShutdownResult } from '../src/accept.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { WebSocketConnection } from '../src/connection.js';
import type { AcceptedTerms, Rejection, ServerOptions, UpgradeRequest } from '../src/upgrade-policy.js';

class Server extends TransportServer {
  run(handshake: IncomingHandshake): Promise<void> {
    return this.accept(handshake);
  }

  close(): Promise<ShutdownResult> {
    return this.closeConnections();
  }
}

function request(pathname: string): UpgradeRequest {
  return { transport: 'h2', path: pathname, pathname, authority: 'example.com', origin: undefined, headers: {}, protocols: ['a', 'b'], extensions: [], remoteAddress: undefined };
}

/** Runs one handshake; what was answered or refused. */
async function handshake(server: Server, pathname: string) {
  const [near] = createMemoryCarrierPair();
  const outcome: { answered?: AcceptedTerms; refused?: Rejection } = {};
  await server.run({
    check: () => ({ request: request(pathname) }),
    gone: false,
    answer: (terms) => ((outcome.answered = terms), near),
    refuse: (rejection) => (outcome.refused = rejection),
  });
  return outcome;
}

t.test('a delegate decides the requests it claims with its own policy; the others keep the server\'s', async (t) => {
  const own: string[] = [];
  const delegated: WebSocketConnection[] = [];
  const server = new Server({ routes: { '/own': (connection) => own.push(connection.path) }, maxMessageSize: 1000, shutdownTimeout: 50 });
  const policy: ServerOptions = {
    handler: (connection) => delegated.push(connection),
    protocols: (offered) => offered[1],
    answerHeaders: () => ({ 'set-cookie': ['a=1', 'b=2'] }),
    maxMessageSize: 10,
  };
  const release = server.delegate((req) => req.pathname === '/ws', policy);
  const accepted = await handshake(server, '/ws');
  t.same(accepted.answered, { protocol: 'b', extensions: '', headers: { 'set-cookie': ['a=1', 'b=2'] } }, "the delegate's subprotocol choice and fields");
  t.equal(delegated.length, 1, "the delegate's handler got it");
  t.same((await handshake(server, '/own')).answered, { protocol: '', extensions: '' }, "the server's own route: its policy");
  t.same(own, ['/own']);
  t.same((await handshake(server, '/other')).refused?.status, 404, 'a path neither serves');
  release();
  release();
  t.same((await handshake(server, '/ws')).refused?.status, 404, 'taken back: the server decides again');
  t.equal(delegated.length, 1);
  await server.close();
});

t.test("the delegate's connection options apply to its WebSockets", async (t) => {
  const server = new Server({ maxMessageSize: 1000 });
  server.delegate(() => true, { handler: () => undefined, maxMessageSize: 4 });
  const [near, far] = createMemoryCarrierPair();
  await server.run({ check: () => ({ request: request('/x') }), gone: false, answer: () => near, refuse: () => undefined });
  const client = new WebSocketConnection('client', far);
  const closed = new Promise<number>((resolve) => client.once('close', ({ code }) => resolve(code)));
  client.send('longer than four bytes');
  t.equal(await closed, 1009, "refused by the delegate's maxMessageSize (4), not the server's (1000)");
});
