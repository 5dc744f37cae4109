/** The wstack command line, run as a child process the way a person runs it. */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCert } from '@wstack/dev-cert';
import { HandshakeError } from '@wstack/protocol';
import { connect, WebSocketServer } from '@wstack/http1';
import { connect as connectHttp2, WebSocketServer as Http2Server } from '@wstack/http2';
import { connect as connectHttp3, WebSocketServer as Http3Server } from '@wstack/http3';
import { closed, freePort, nextMessage } from '@wstack/testkit';
import { CLI, exitCode, start, type Running } from './helpers/cli-process.js';

t.test('serve --no-tls: echoes, logs each WebSocket, shuts down gracefully on SIGTERM', async (t) => {
  const server = start(['serve', '--no-tls', '--port', '0']);
  const listening = await server.line(/^listening on ws:\/\/127\.0\.0\.1:\d+\/ \(http\/1\.1, h2\)$/);
  const port = Number(/:(\d+)\//.exec(listening)![1]);
  const client = await connect(`ws://127.0.0.1:${port}/chat?x=1`);
  client.send('hello');
  t.equal((await nextMessage(client)).data.toString(), 'hello');
  t.equal(await server.line(/^ws open/), 'ws open http/1.1 /chat?x=1');
  const compressed = await connect(`ws://127.0.0.1:${port}/deflate`, { perMessageDeflate: true });
  t.equal(compressed.extensions, 'permessage-deflate', 'serve accepts permessage-deflate by default');
  t.equal(await server.line(/^ws open http\/1\.1 \/deflate/), 'ws open http/1.1 /deflate (permessage-deflate)');
  compressed.close();
  const overH2 = await connectHttp2(`ws://127.0.0.1:${port}/h2c`);
  overH2.send('over h2c');
  t.equal((await nextMessage(overH2)).data.toString(), 'over h2c', 'the same port serves h2c with prior knowledge');
  t.equal(await server.line(/^ws open h2/), 'ws open h2 /h2c');
  overH2.close();
  client.close(1000);
  await closed(client);
  t.equal(await server.line(/^ws close http\/1\.1 \/chat/), 'ws close http/1.1 /chat?x=1 1000');
  const second = await connect(`ws://127.0.0.1:${port}/`);
  server.child.kill('SIGTERM');
  t.equal((await closed(second)).code, 1001, 'open WebSockets get 1001 on shutdown');
  t.equal(await exitCode(server), 0);
  t.ok(server.lines.includes('shutting down'));
});

t.test('serve with TLS: a development certificate by default, or the given files', async (t) => {
  const dev = start(['serve', '--port', '0']);
  await dev.line(/^development certificate: SPKI sha256 [A-Za-z0-9+/]{43}=$/);
  const url = (await dev.line(/^listening on wss:/)).split(' ')[2]!;
  const client = await connect(url, { tls: { rejectUnauthorized: false } });
  t.equal(client.transport, 'http/1.1');
  client.close();
  const overH2 = await connectHttp2(url, { tls: { rejectUnauthorized: false } });
  t.equal(overH2.transport, 'h2', 'the TLS port serves HTTP/2 by ALPN');
  t.equal(await dev.line(/^ws open h2/), 'ws open h2 /');
  overH2.close();
  t.match(url, /^wss:\/\/127\.0\.0\.1:\d+\/$/);
  t.ok(dev.lines.some((line) => line.endsWith('(http/1.1, h2, h3)')), 'HTTP/3 listens too');
  const overH3 = await connectHttp3(url, { tls: { rejectUnauthorized: false } });
  t.equal(await dev.line(/^ws open h3/), 'ws open h3 /');
  overH3.close(1000);
  t.equal(await dev.line(/^ws close h3/), 'ws close h3 / 1000');
  dev.child.kill('SIGINT');
  t.equal(await exitCode(dev), 0);

  const folder = mkdtempSync(join(tmpdir(), 'wstack-cli-'));
  const cert = createDevCert();
  writeFileSync(join(folder, 'cert.pem'), cert.cert);
  writeFileSync(join(folder, 'key.pem'), cert.key);
  const files = start(['serve', '--port', '0', '--cert', join(folder, 'cert.pem'), '--key', join(folder, 'key.pem')]);
  const fileUrl = (await files.line(/^listening on wss:/)).split(' ')[2]!;
  const verified = await connect(fileUrl, { tls: { ca: cert.cert } });
  verified.send('verified');
  t.equal((await nextMessage(verified)).data.toString(), 'verified');
  verified.close();
  t.notOk(files.lines.some((line) => line.startsWith('development certificate')), 'no development certificate when files are given');
  t.ok(files.lines.includes(`certificate: SPKI sha256 ${cert.spkiSha256}`), 'the SPKI hash of the given certificate');
  files.child.kill('SIGTERM');
  await exitCode(files);

  const noH3 = start(['serve', '--port', '0', '--no-h3']);
  t.match(await noH3.line(/^listening on/), /\(http\/1\.1, h2\)$/, '--no-h3');
  noH3.child.kill('SIGTERM');
  await exitCode(noH3);
});

t.test('serve --no-h1 / --no-h2 turn one transport off', async (t) => {
  const h1Only = start(['serve', '--no-tls', '--port', '0', '--no-h2']);
  const h1Url = (await h1Only.line(/^listening on ws:.* \(http\/1\.1\)$/)).split(' ')[2]!;
  const h1 = await connect(h1Url);
  t.equal(h1.transport, 'http/1.1');
  h1.close();
  const refused = await connectHttp2(h1Url).catch((error: unknown) => error);
  t.ok(refused instanceof HandshakeError && refused.code === 'NOT_SUPPORTED', 'no h2c without HTTP/2');
  h1Only.child.kill('SIGTERM');
  t.equal(await exitCode(h1Only), 0);

  const h2Only = start(['serve', '--no-tls', '--port', '0', '--no-h1']);
  const h2Url = (await h2Only.line(/^listening on ws:.* \(h2\)$/)).split(' ')[2]!;
  const h2 = await connectHttp2(h2Url);
  t.equal(h2.transport, 'h2');
  h2.close();
  const upgrade = await connect(h2Url).catch((error: unknown) => error);
  t.ok(upgrade instanceof HandshakeError && upgrade.code === 'UNEXPECTED_STATUS', 'no HTTP/1.1 upgrade without HTTP/1.1');
  h2Only.child.kill('SIGTERM');
  t.equal(await exitCode(h2Only), 0);
});

t.test('serve --static DIR answers ordinary requests with its files, a missing folder is a clear error', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'wstack-static-'));
  writeFileSync(join(folder, 'index.html'), '<p>hello</p>');
  const server = start(['serve', '--no-tls', '--port', '0', '--static', folder]);
  const url = (await server.line(/^listening on /)).split(' ')[2]!.replace('ws:', 'http:');
  const page = await fetch(url);
  t.same([page.status, page.headers.get('content-type'), await page.text()], [200, 'text/html; charset=utf-8', '<p>hello</p>']);
  t.equal((await fetch(`${url}missing`)).status, 404);
  server.child.kill('SIGTERM');
  t.equal(await exitCode(server), 0);
  const missing = start(['serve', '--no-tls', '--port', '0', '--static', join(folder, 'nope')]);
  t.equal(await exitCode(missing), 1);
  t.ok(missing.lines.some((line) => line.includes('not a folder')), missing.lines.join('\n'));
});

t.test('connect: standard input goes out line by line, messages are printed', async (t) => {
  const server = new WebSocketServer({
    protocols: ['p'],
    perMessageDeflate: true,
    handler: (connection) => {
      connection.send(Buffer.from([0xde, 0xad]));
      connection.on('message', (data) => connection.send(`echo: ${data}`));
    },
  });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const run = start(['connect', `ws://127.0.0.1:${port}/`, '--protocol', 'p', '--deflate'], 'one\ntwo\n');
  t.equal(await exitCode(run), 0);
  t.match(run.lines, ['connected over http/1.1, subprotocol p, extensions permessage-deflate']);
  for (const line of ['<binary 2 bytes: dead>', 'echo: one', 'echo: two', 'closed: 1000']) t.ok(run.lines.includes(line), line);
});

t.test('connect --transport h2: over HTTP/2, and says so', async (t) => {
  const server = new Http2Server({ handler: (connection) => connection.on('message', (data) => connection.send(`h2 echo: ${data}`)) });
  const { port } = await server.listen();
  t.teardown(() => server.close());
  const run = start(['connect', `ws://127.0.0.1:${port}/`, '--transport', 'h2'], 'one\n');
  t.equal(await exitCode(run), 0);
  t.match(run.lines, ['connected over h2']);
  t.ok(run.lines.includes('h2 echo: one'));
  t.ok(run.lines.includes('closed: 1000'));
});

t.test('connect --transport h3 and bridge --transport h3: over HTTP/3, with --ca', async (t) => {
  const cert = createDevCert();
  const server = new Http3Server({ handler: (connection) => connection.on('message', (data) => connection.send(`h3 echo: ${data}`)) });
  const { port } = await server.listen({ tls: { cert: cert.cert, key: cert.key } });
  t.teardown(() => server.close());
  const folder = mkdtempSync(join(tmpdir(), 'wstack-cli-'));
  writeFileSync(join(folder, 'ca.pem'), cert.cert);
  const run = start(['connect', `wss://127.0.0.1:${port}/`, '--transport', 'h3', '--ca', join(folder, 'ca.pem')], 'one\n');
  t.equal(await exitCode(run), 0, run.lines.join('\n'));
  t.match(run.lines, ['connected over h3']);
  t.ok(run.lines.includes('h3 echo: one'));
  const bridge = start(['bridge', '--listen', 'ws://127.0.0.1:0', '--target', `wss://127.0.0.1:${port}/`, '--transport', 'h3', '--ca', join(folder, 'ca.pem')]);
  const url = (await bridge.line(/^bridging /)).split(' ')[1]!;
  const client = await connect(`${url}x`);
  client.send('hi');
  t.equal((await nextMessage(client)).data.toString(), 'h3 echo: hi', 'HTTP/1.1 in, HTTP/3 out');
  t.equal([...server.connections][0]?.transport, 'h3');
  client.close(1000);
  await closed(client);
  bridge.child.kill('SIGTERM');
  t.equal(await exitCode(bridge), 0);
});

t.test('bridge: HTTP/1.1 in, HTTP/2 out, and a line per WebSocket', async (t) => {
  const target = new Http2Server({ handler: (connection) => connection.on('message', (data) => connection.send(`from h2: ${data}`)) });
  const { port } = await target.listen();
  t.teardown(() => target.close());
  const bridge = start(['bridge', '--listen', 'ws://127.0.0.1:0', '--target', `ws://127.0.0.1:${port}/base`, '--transport', 'h2']);
  const line = await bridge.line(/^bridging /);
  t.match(line, new RegExp(`^bridging ws://127\\.0\\.0\\.1:\\d+/ \\(http/1\\.1, h2\\) to ws://127\\.0\\.0\\.1:${port}/base over h2$`));
  const url = line.split(' ')[1]!;
  const client = await connect(`${url}x`);
  client.send('hi');
  t.equal((await nextMessage(client)).data.toString(), 'from h2: hi');
  t.equal(await bridge.line(/^ws open/), 'ws open http/1.1 /x → h2');
  client.close(1000);
  t.equal(await bridge.line(/^ws close/), 'ws close http/1.1 /x');
  bridge.child.kill('SIGTERM');
  t.equal(await exitCode(bridge), 0);
});

t.test('connect to wss://: verification by default, --ca and --insecure', async (t) => {
  const cert = createDevCert();
  const server = new WebSocketServer({ handler: (connection) => connection.on('message', (data, binary) => connection.send(data, { binary })) });
  const { port } = await server.listen({ tls: { cert: cert.cert, key: cert.key } });
  t.teardown(() => server.close());
  const url = `wss://127.0.0.1:${port}/`;
  const untrusted = start(['connect', url], '');
  t.equal(await exitCode(untrusted), 1);
  t.match(untrusted.lines.join('\n'), /certificate is not trusted: self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)\nPass --ca FILE .* or --insecure/);
  const folder = mkdtempSync(join(tmpdir(), 'wstack-cli-'));
  writeFileSync(join(folder, 'ca.pem'), cert.cert);
  for (const flags of [['--ca', join(folder, 'ca.pem')], ['--insecure']]) {
    const run = start(['connect', url, ...flags], 'secure\n');
    t.equal(await exitCode(run), 0, flags[0]);
    t.ok(run.lines.includes('secure'));
  }
});

/** A failure's words: one or two lines, no stack trace. */
function failureText(t: Test, run: Running, label: string): string {
  const text = run.lines.join('\n');
  t.ok(run.lines.length >= 1 && run.lines.length <= 2, `${label}: one or two lines, not ${run.lines.length}`);
  t.notMatch(text, /^\s+at /m, `${label}: no stack trace`);
  return text;
}

t.test('bad usage exits with 2 and says why in one or two lines', async (t) => {
  const usage: [string[], RegExp][] = [
    [['frobnicate'], /^unknown command "frobnicate"; the commands are serve, connect, bridge/],
    [['help', 'nope'], /^no command "nope"/],
    [['serve', '--port', 'x'], /--port must be a number/],
    [['serve', '--no-tls', '--cert', 'a', '--key', 'b'], /exclude each other/],
    [['serve', '--cert', 'a'], /go together/],
    [['serve', '--bogus'], /^Unknown option '--bogus'\n\(wstack help serve lists the options\)$/],
    [['serve', '--echo'], /^Unknown option '--echo'/],
    [['serve', '--no-h1', '--no-h2', '--no-h3'], /leave no transport/],
    [['serve', '--no-tls', '--no-h1', '--no-h2'], /leave no transport/],
    [['bridge', '--listen', 'ws://127.0.0.1:0'], /needs --listen and --target/],
    [['bridge', '--listen', 'ftp://x', '--target', 'ws://x'], /--listen: not a WebSocket URL: "ftp:\/\/x"/],
    [['bridge', '--listen', 'ws://127.0.0.1:0', '--target', 'ws://x', '--transport', 'h7'], /unknown or unavailable transport "h7": expected one of auto, h1, h2, h3/],
    [['connect'], /^connect takes one URL, as in: wstack connect wss:/],
    [['connect', 'ws://127.0.0.1:1/', '--transport', 'h9'], /unknown or unavailable transport "h9"/],
    [['connect', 'ws://127.0.0.1:1/', '--ca', 'x', '--insecure'], /exclude each other/],
    [['connect', '127.0.0.1:9555'], /^not a URL: "127\.0\.0\.1:9555" \(expected ws:\/\/HOST\[:PORT\]\/PATH or wss:\/\/HOST\[:PORT\]\/PATH\)$/],
    [['connect', 'ftp://x/'], /^not a WebSocket URL: "ftp:\/\/x\/" \(expected ws:\/\//],
  ];
  for (const [args, message] of usage) {
    const run = start(args, '');
    t.equal(await exitCode(run), 2, args.join(' '));
    t.match(failureText(t, run, args.join(' ')), message, args.join(' '));
  }
});

t.test('help, --help, --version', async (t) => {
  const overview = start(['--help']);
  t.equal(await exitCode(overview), 0);
  t.match(overview.lines.join('\n'), /^Usage: wstack <command> \[options\]\n {2}serve {5}.+\n {2}connect {3}.+\n {2}bridge {4}.+\nwstack help <command>/);
  t.ok(overview.lines.length <= 8, 'a short overview, not every command\'s options');
  const bare = start([]);
  t.equal(await exitCode(bare), 2, 'no command: the overview, exit 2');
  t.same(bare.lines, overview.lines);
  for (const args of [['help', 'serve'], ['serve', '--help'], ['help', 'connect'], ['connect', '--help'], ['help', 'bridge'], ['bridge', '--help']]) {
    const run = start(args);
    t.equal(await exitCode(run), 0, args.join(' '));
    t.match(run.lines[0], new RegExp(`^Usage: wstack ${args.find((arg) => arg !== 'help' && arg !== '--help')} `), args.join(' '));
  }
  const version = start(['--version']);
  t.equal(await exitCode(version), 0);
  t.same(version.lines, [JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).version]);
});

t.test('failures exit with 1 in one or two lines that name the port, file or URL and the fix', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'wstack-cli-'));
  const cert = createDevCert();
  const other = createDevCert();
  writeFileSync(join(folder, 'cert.pem'), cert.cert);
  writeFileSync(join(folder, 'key.pem'), cert.key);
  writeFileSync(join(folder, 'other-key.pem'), other.key);
  writeFileSync(join(folder, 'notes.txt'), 'not a certificate');
  const tcp = createNetServer().listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  const udp = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const tlsServer = new WebSocketServer({ handler: () => undefined });
  const { port: tlsPort } = await tlsServer.listen({ tls: { cert: cert.cert, key: cert.key } });
  const plainServer = new WebSocketServer({ handler: () => undefined });
  const { port: plainPort } = await plainServer.listen();
  const refusedPort = await freePort();
  t.teardown(async () => {
    tcp.close();
    udp.close();
    await tlsServer.close();
    await plainServer.close();
  });
  const tcpPort = (tcp.address() as AddressInfo).port;
  const udpPort = udp.address().port;
  const failures: [string, string[], RegExp][] = [
    ['TCP port in use', ['serve', '--no-tls', '--port', String(tcpPort)], new RegExp(`^cannot listen on TCP 127\\.0\\.0\\.1:${tcpPort}: the port is in use \\(EADDRINUSE\\)\\nStop what uses it, or choose another port with --port\\.$`)],
    ['UDP port in use', ['serve', '--no-h1', '--no-h2', '--port', String(udpPort)], new RegExp(`^cannot listen on UDP \\(HTTP/3\\) 127\\.0\\.0\\.1:${udpPort}: the port is in use \\(EADDRINUSE\\)\\n.*--port.*--no-h3`)],
    ['missing certificate', ['serve', '--port', '0', '--cert', join(folder, 'nope.pem'), '--key', join(folder, 'key.pem')], /^--cert \S+nope\.pem: cannot read the file: no such file \(ENOENT\)$/],
    ['not a certificate', ['serve', '--port', '0', '--cert', join(folder, 'notes.txt'), '--key', join(folder, 'key.pem')], /^--cert \S+notes\.txt: not a PEM certificate/],
    ['not a key', ['serve', '--port', '0', '--cert', join(folder, 'cert.pem'), '--key', join(folder, 'notes.txt')], /^--key \S+notes\.txt: not a PEM private key/],
    ['another certificate\'s key', ['serve', '--port', '0', '--cert', join(folder, 'cert.pem'), '--key', join(folder, 'other-key.pem')], /^--cert \S+cert\.pem and --key \S+other-key\.pem do not belong together/],
    ['unreadable CA', ['connect', `wss://127.0.0.1:${tlsPort}/`, '--ca', join(folder, 'missing-ca.pem')], /^--ca \S+missing-ca\.pem: cannot read the file: no such file \(ENOENT\)$/],
    ['ws:// to a TLS port', ['connect', `ws://127.0.0.1:${tlsPort}/chat`], new RegExp(`^ws://127\\.0\\.0\\.1:${tlsPort}/chat: the server speaks TLS on port ${tlsPort}\\nUse wss://127\\.0\\.0\\.1:${tlsPort}/chat$`)],
    ['wss:// to a plain port', ['connect', `wss://127.0.0.1:${plainPort}/chat`, '--transport', 'h1'], new RegExp(`^wss://127\\.0\\.0\\.1:${plainPort}/chat: the server does not speak TLS on this port\\nFor a server without TLS, use ws://127\\.0\\.0\\.1:${plainPort}/chat$`)],
    ['untrusted certificate, every transport', ['connect', `wss://127.0.0.1:${tlsPort}/`], new RegExp(`^wss://127\\.0\\.0\\.1:${tlsPort}/: the server's certificate is not trusted: self-signed certificate \\(DEPTH_ZERO_SELF_SIGNED_CERT\\)\\nPass --ca FILE to trust the CA that signed it, or --insecure to skip the check\\.$`)],
    ['refused everywhere', ['connect', `wss://127.0.0.1:${refusedPort}/`], new RegExp(`^cannot connect to wss://127\\.0\\.0\\.1:${refusedPort}/: h3: nothing listens on UDP 127\\.0\\.0\\.1:${refusedPort} \\(ECONNREFUSED\\); h2: .*ECONNREFUSED.*; h1: .*ECONNREFUSED`)],
  ];
  for (const [label, args, message] of failures) {
    const run = start(args, '');
    t.equal(await exitCode(run), 1, label);
    t.match(failureText(t, run, label), message, label);
  }
  const debug = start(['connect', `wss://127.0.0.1:${tlsPort}/`, '--transport', 'h1', '--debug'], '');
  t.equal(await exitCode(debug), 1);
  t.match(debug.lines.join('\n'), /not trusted[^]*\n {4}at /, '--debug adds the stack trace');
  const variable = spawn(process.execPath, [CLI, 'serve', '--no-tls', '--port', String(tcpPort)], { env: { ...process.env, WSTACK_DEBUG: '1' } });
  let errors = '';
  variable.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  await once(variable, 'exit');
  t.match(errors, /EADDRINUSE[^]*\n {4}at /, 'WSTACK_DEBUG=1 adds it too');
});

t.test('connect fails fast where nothing listens, and reports a timeout as one', async (t) => {
  const port = await freePort();
  const began = Date.now();
  const refused = start(['connect', `wss://127.0.0.1:${port}/`], '');
  t.equal(await exitCode(refused), 1);
  t.ok(Date.now() - began < 3000, `refused on TCP and UDP: failed in ${Date.now() - began} ms`);
  const silent = createNetServer(() => undefined).listen(0, '127.0.0.1');
  await once(silent, 'listening');
  t.teardown(() => silent.close());
  const quiet = start(['connect', `ws://127.0.0.1:${(silent.address() as AddressInfo).port}/`, '--transport', 'h1'], '');
  t.equal(await exitCode(quiet), 1);
  t.match(failureText(t, quiet, 'silent server'), /^cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: timed out: no handshake answer from 127\.0\.0\.1:\d+ within 10000 ms$/);
});
