/**
 * The client tunnel tests of every transport (openTunnel, tunnel.ts in
 * @wstack/core), and the raw frames they write into a tunnel by hand and
 * read back from the server.
 */
import type { Test } from 'tap';
import { HandshakeError } from '@wstack/protocol';
import type { ServerOptions, Transport, Tunnel, TunnelOffer, UpgradeRequest, WebSocketConnection } from '@wstack/core';

/** A masked frame, as a client sends it (RFC 6455 §5.2, §5.3); short payloads only. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const masked = payload.map((byte, i) => byte ^ mask[i % 4]!);
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

/** A close frame with a code, as a client sends it (RFC 6455 §5.5.1). */
export const closeFrame = (code: number) => clientFrame(0x8, Buffer.from([code >> 8, code & 0xff]));

/** The server's close frame of code 1000, no reason. */
export const SERVER_CLOSE_1000 = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

/** Everything a tunnel reports, from the moment it is opened. */
export function record(tunnel: Tunnel) {
  const seen = { bytes: Buffer.alloc(0), ended: false, closed: false, error: undefined as Error | undefined };
  let wake = () => undefined as void;
  tunnel.on('data', (chunk) => {
    seen.bytes = Buffer.concat([seen.bytes, chunk]);
    wake();
  });
  tunnel.on('end', () => {
    seen.ended = true;
    wake();
  });
  tunnel.on('close', (error) => {
    seen.closed = true;
    seen.error = error;
    wake();
  });
  /** Waits until `done`; fails if the tunnel closes first. */
  const until = async (done: () => boolean) => {
    while (!done()) {
      if (seen.closed) throw new Error(`the tunnel closed with ${seen.bytes.length} bytes unread`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  /** Takes the next whole frame from the server (unmasked, short). */
  const nextFrame = async () => {
    const length = () => 2 + (seen.bytes[1]! & 0x7f);
    await until(() => seen.bytes.length >= 2 && seen.bytes.length >= length());
    const frame = seen.bytes.subarray(0, length());
    seen.bytes = seen.bytes.subarray(frame.length);
    return frame;
  };
  /** After both close frames: the server ends its stream, we end ours, and the tunnel closes. */
  const finish = async () => {
    await until(() => seen.ended);
    tunnel.end();
    await until(() => seen.closed);
  };
  return { seen, nextFrame, finish };
}

/** A text frame as the server sends it. */
export const serverText = (text: string) => Buffer.from([0x81, text.length, ...Buffer.from(text)]);

/** An echo server of the transport under test, and what its client needs to reach it. */
export interface TunnelServer<O extends TunnelCallOptions> {
  url: string;
  /** The upgrade requests the server accepted, in order. */
  requests: UpgradeRequest[];
  /** Options every client call against this server takes (a pool, TLS). */
  clientOptions: O;
  /** Sessions the client still holds to the server, where it pools them; checked after a refusal. */
  openSessions?: () => number;
}

/** What the suite itself passes to openTunnel, beside the server's client options. */
export type TunnelCallOptions = TunnelOffer & { protocols?: readonly string[]; perMessageDeflate?: boolean };

export interface TunnelClientUnderTest<O extends TunnelCallOptions> {
  transport: Transport;
  /** Starts an echo server with `options`, torn down with `t`. */
  serve(t: Test, options?: ServerOptions): Promise<TunnelServer<O>>;
  connect(url: string, options: O): Promise<WebSocketConnection>;
  openTunnel(url: string, options: O): Promise<Tunnel>;
}

/** What openTunnel shares with connect, and what it does differently, the same on every transport. */
export function runTunnelClientSuite<O extends TunnelCallOptions>(t: Test, subject: TunnelClientUnderTest<O>): void {
  const { transport } = subject;

  t.test('a tunnel: the negotiated terms, and a masked text frame echoed as the server frames it', async (t) => {
    const { url, clientOptions } = await subject.serve(t, { protocols: ['chat'] });
    const tunnel = await subject.openTunnel(`${url}/tunnel?x=1`, { ...clientOptions, protocols: ['superchat', 'chat'] });
    const { nextFrame } = record(tunnel);
    t.equal(tunnel.transport, transport);
    t.equal(tunnel.path, '/tunnel?x=1');
    t.equal(tunnel.protocol, 'chat');
    t.equal(tunnel.extensions, '');
    t.equal(tunnel.headers['sec-websocket-protocol'], 'chat', 'the answer\'s fields');
    tunnel.write(clientFrame(0x1, Buffer.from('hello')));
    t.same(await nextFrame(), serverText('hello'), 'unmasked, FIN and text, byte for byte');
    tunnel.abort();
  });

  t.test('the extension offer goes out verbatim and the answer is taken unchecked', async (t) => {
    const { url, requests, clientOptions } = await subject.serve(t, { perMessageDeflate: true });
    const offer = 'permessage-deflate; client_max_window_bits';
    const deflate = await subject.openTunnel(url, { ...clientOptions, extensions: offer });
    t.equal(requests[0]?.headers['sec-websocket-extensions'], offer, 'sent as given');
    t.match(deflate.extensions, /^permessage-deflate\b/, 'the server accepted it');
    t.equal(deflate.extensions, deflate.headers['sec-websocket-extensions'], 'the answer, as it came');
    deflate.abort();
    const bogus = await subject.openTunnel(url, { ...clientOptions, extensions: 'x-unknown', perMessageDeflate: true });
    t.equal(requests[1]?.headers['sec-websocket-extensions'], 'x-unknown', 'perMessageDeflate does not change the offer');
    t.equal(bogus.extensions, '', 'not answered');
    bogus.abort();
    const none = await subject.openTunnel(url, { ...clientOptions, perMessageDeflate: true });
    t.equal(requests[2]?.headers['sec-websocket-extensions'], undefined, 'no offer without `extensions`');
    none.abort();
  });

  t.test('a close frame written by hand: the server answers it and ends; end() then closes cleanly', async (t) => {
    const { url, clientOptions } = await subject.serve(t);
    const tunnel = await subject.openTunnel(url, clientOptions);
    const { seen, nextFrame, finish } = record(tunnel);
    tunnel.write(closeFrame(1000));
    t.same(await nextFrame(), SERVER_CLOSE_1000, 'the server\'s close frame');
    await finish();
    t.equal(seen.error, undefined, 'closed without error');
    t.equal(tunnel.closed, true);
  });

  t.test('a refused handshake fails openTunnel as it fails connect', async (t) => {
    const { url, clientOptions, openSessions } = await subject.serve(t, { authenticate: () => false });
    const failure = (attempt: Promise<unknown>) =>
      attempt.then(
        () => 'opened',
        (error: HandshakeError) => ({ class: error.constructor, name: error.name, code: error.code, status: error.status, message: error.message }),
      );
    const viaConnect = await failure(subject.connect(url, clientOptions));
    t.match(viaConnect, { class: HandshakeError, code: 'UNEXPECTED_STATUS', status: 403 });
    t.same(await failure(subject.openTunnel(url, clientOptions)), viaConnect);
    if (openSessions !== undefined) t.equal(openSessions(), 0, 'both gave the connection back');
  });
}
