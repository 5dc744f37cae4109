#!/usr/bin/env node
/**
 * The tarball test: what npm installs is what is tested.
 *
 * Builds the public packages under packages/, packs each with `pnpm pack`
 * (which turns `workspace:*` into versions), checks what got packed, installs
 * the tarballs with npm into a fresh project outside the repository, and
 * there runs an echo over HTTP/1.1, HTTP/2 and HTTP/3 and the `wstack`
 * command. Whatever the product needs that only this workspace
 * provides (a file left out of `files`, an export whose file is not packed, a
 * dependency reached through hoisting or a workspace link) fails here.
 *
 * One line per check, then "N passed, M failed"; exit 1 on any failure.
 * `--keep` leaves the temporary directories in place to look at.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const pnpmVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

let passed = 0;
let failed = 0;
function check(ok, name, detail) {
  if (ok) passed++;
  else failed++;
  process.stdout.write(`${ok ? 'ok' : 'not ok'} - ${name}\n`);
  if (!ok && detail) process.stdout.write(`${String(detail).trimEnd().replace(/^/gm, '    ')}\n`);
  return ok;
}

// Children run in process groups of their own, so that a timeout (or our own
// end) also takes down what they started (npx → pnpm, npm → node-gyp, …).
const live = new Set();
const killGroup = (child) => {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {}
};
process.on('exit', () => live.forEach(killGroup));

/** Runs a command to its end or its timeout; `onLine` sees stdout line by line as it comes. */
function run(command, args, { cwd, timeoutMs, onLine }) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (text) => {
      stdout += text;
      if (!onLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) onLine(line, child);
    });
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    let settled = false;
    const settle = (code, signal, error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      live.delete(child);
      if (onLine && pending) onLine(pending, child);
      resolve({ code, signal, stdout, stderr: error ? `${stderr}${error.message}\n` : stderr, timedOut });
    };
    child.on('error', (error) => settle(null, null, error));
    child.on('close', (code, signal) => settle(code, signal));
  });
}

/** What went wrong with a command, for a failed check. */
function outcome(result, timeoutMs) {
  const how = result.timedOut ? `killed after ${timeoutMs / 1000} s` : `exit ${result.code ?? result.signal}`;
  return `${how}\n${result.stderr}${result.stdout}`.split('\n').slice(-40).join('\n');
}

/** Every file under a directory, as posix paths relative to it. */
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path).split('\\').join('/')];
  });
}

const RUNTIME_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/** The targets of an `exports` value, by subpath ('.' for a package without subpaths). */
function exportTargets(exports) {
  const leaves = (value) => (typeof value === 'string' ? [value] : value === null ? [] : Object.values(value).flatMap(leaves));
  if (exports === undefined) return {};
  if (typeof exports === 'string' || Array.isArray(exports) || !Object.keys(exports).some((key) => key.startsWith('.'))) return { '.': leaves(exports) };
  return Object.fromEntries(Object.entries(exports).map(([subpath, value]) => [subpath, leaves(value)]));
}

/** A packed file matches a target ('./dist/x.js', or with one '*'). */
function packedTarget(target, files) {
  const path = posix.normalize(target);
  if (!target.includes('*')) return files.has(path);
  const [head, tail] = path.split('*');
  return [...files].some((file) => file.startsWith(head) && file.endsWith(tail));
}

/** What in a packed manifest points at nothing, or at this workspace only. */
function manifestProblems(manifest, files, published, workspaceNames) {
  const problems = [];
  for (const field of RUNTIME_FIELDS) {
    for (const [name, spec] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file|portal):/.test(spec)) problems.push(`${field}: ${name} is "${spec}", which resolves only in this workspace`);
      else if (workspaceNames.has(name) && !published.has(name)) problems.push(`${field}: ${name} is private (never published), so npm cannot install it`);
      // pnpm writes workspace:* as the exact version and workspace:^ as ^version.
      else if (published.has(name) && spec.replace(/^[\^~]/, '') !== published.get(name).manifest.version) problems.push(`${field}: ${name}@${spec} is not the packed version ${published.get(name).manifest.version}`);
    }
  }
  const targets = exportTargets(manifest.exports);
  if (Object.keys(targets).length === 0 && manifest.main === undefined) problems.push('neither `exports` nor `main`: nothing to import');
  for (const [subpath, list] of Object.entries(targets)) {
    for (const target of list) if (!packedTarget(target, files)) problems.push(`exports["${subpath}"] → ${target}, which is not in the tarball (missing from \`files\`, or not built)`);
  }
  for (const field of ['main', 'types', 'typings', 'module']) {
    if (typeof manifest[field] === 'string' && !files.has(posix.normalize(manifest[field]))) problems.push(`${field} → ${manifest[field]}, which is not in the tarball`);
  }
  const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
  for (const [name, target] of Object.entries(bins)) {
    if (!files.has(posix.normalize(target))) problems.push(`bin ${name} → ${target}, which is not in the tarball`);
  }
  return problems;
}

/** What a package on the registry should carry beyond its code (a user's first look, and no test tooling). */
function publishProblems(manifest, files, workspaceNames, published) {
  const problems = [];
  for (const file of ['LICENSE', 'README.md']) if (!files.has(file)) problems.push(`no ${file} in the tarball`);
  for (const field of ['description', 'license', 'homepage', 'repository']) if (!manifest[field]) problems.push(`no "${field}"`);
  if (!Array.isArray(manifest.keywords) || manifest.keywords.length === 0) problems.push('no "keywords"');
  if (manifest.type !== 'module') problems.push('not "type": "module" (the packages are ESM only)');
  // require() of ES modules, which CommonJS users need, is unflagged from Node 20.19.
  if (manifest.engines?.node !== '>=20.19') problems.push(`engines.node is ${JSON.stringify(manifest.engines?.node)}, not ">=20.19"`);
  if ('tap' in manifest) problems.push('carries the test runner\'s settings ("tap")');
  for (const name of Object.keys(manifest.devDependencies ?? {})) if (workspaceNames.has(name) && !published.has(name)) problems.push(`devDependencies name ${name}, which is private`);
  const tooling = [...files].filter((file) => /(^|\/)(test|\.tap|coverage)\/|\.taprc$|autobahn/.test(file));
  if (tooling.length) problems.push(`test tooling packed: ${tooling.join(', ')}`);
  return problems;
}

// import … from '…', export … from '…', import '…', import('…'), require('…') with literal specifiers.
const IMPORTS = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/g;
const builtins = new Set(builtinModules);

/**
 * What the packed JavaScript imports that the tarball alone does not give:
 * a relative file not packed, or a package not declared in the manifest (in
 * the workspace it resolves through a parent's node_modules; for a user it
 * does not), or a subpath another package does not export.
 */
function importProblems(dir, manifest, files, published) {
  const declared = new Set(RUNTIME_FIELDS.flatMap((field) => Object.keys(manifest[field] ?? {})));
  const problems = new Set();
  for (const file of files) {
    if (!/\.(m?js|cjs)$/.test(file)) continue;
    // Comments may quote imports as examples: drop block comments and whole-line comments.
    const source = readFileSync(join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const match of source.matchAll(IMPORTS)) {
      const specifier = match[1] ?? match[2] ?? match[3] ?? match[4];
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = posix.normalize(posix.join(posix.dirname(file), specifier));
        if (!files.has(target)) problems.add(`${file} imports ${specifier}, which is not in the tarball`);
        continue;
      }
      if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0])) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      const subpath = `.${specifier.slice(name.length)}`;
      if (name === manifest.name) continue;
      if (!declared.has(name)) problems.add(`${file} imports ${specifier}, but ${name} is not in dependencies, optionalDependencies or peerDependencies`);
      else if (published.has(name) && subpath !== '.' && !(subpath in exportTargets(published.get(name).manifest.exports))) problems.add(`${file} imports ${specifier}, but ${name} does not export "${subpath}"`);
    }
  }
  return [...problems];
}

/** The script run inside the fresh project: imports, an echo over every transport, server.close(). */
function smokeScript(specifiers) {
  return `// Written by scripts/tarball-test.mjs: runs inside a project that installed the packed tarballs with npm.
import assert from 'node:assert/strict';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SPECIFIERS = ${JSON.stringify(specifiers)};
const here = fileURLToPath(new URL('.', import.meta.url));

/** Each step gets a deadline of its own, so one that hangs shows which. */
async function step(name, timeoutMs, body) {
  let timer;
  try {
    const deadline = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(\`no answer within \${timeoutMs} ms\`)), timeoutMs)));
    const note = await Promise.race([body(), deadline]);
    console.log(\`ok - \${name}\${note ? \` (\${note})\` : ''}\`);
    return true;
  } catch (error) {
    console.log(\`not ok - \${name}\`);
    console.log(String(error?.stack ?? error).replace(/^/gm, '    '));
    return false;
  } finally {
    clearTimeout(timer);
  }
}

for (const specifier of SPECIFIERS) {
  await step(\`import \${specifier}\`, 10_000, async () => {
    // From this project's node_modules, never from the repository's.
    const path = fileURLToPath(import.meta.resolve(specifier));
    assert.ok(path.startsWith(join(here, 'node_modules') + sep), \`\${specifier} resolves to \${path}, outside this project\`);
    const module = await import(specifier);
    assert.ok(Object.keys(module).length > 0, \`\${specifier} exports nothing\`);
    return path.slice(here.length);
  });
}

// Its import step above already said why, if it failed.
const { createServer, connect } = await import('wstack').catch(() => ({}));
const echo = (connection) => connection.on('message', (data, binary) => connection.send(data, { binary }));
let server;
await step('createServer({ devCert: true }) on 127.0.0.1 serves http/1.1, h2 and h3', 15_000, async () => {
  assert.ok(createServer, 'wstack did not load');
  server = await createServer({ host: '127.0.0.1', port: 0, devCert: true, handler: echo, request: (req, res) => res.end(\`page over HTTP/\${req.httpVersion}\`) });
  assert.deepEqual([...server.transports], ['http/1.1', 'h2', 'h3'], server.http3Unavailable && \`HTTP/3 is not served: \${server.http3Unavailable.stack}\`);
  return server.url;
});

for (const [transport, served] of [['h1', 'http/1.1'], ['h2', 'h2'], ['h3', 'h3']]) {
  await step(\`echo over \${transport}: text and binary, then a clean close (1000)\`, 15_000, async () => {
    assert.ok(server?.transports.includes(served), \`the server does not serve \${served}\`);
    // The dev certificate is self-signed: trusting it as the CA checks the chain and the name.
    const connection = await connect(server.url, { transport, tls: { ca: server.devCert.cert } });
    try {
      assert.equal(connection.transport, served);
      const received = [];
      const two = new Promise((resolve) => connection.on('message', (data, binary) => received.push({ data: Buffer.from(data), binary }) === 2 && resolve()));
      const closed = new Promise((resolve) => connection.once('close', resolve));
      const text = \`hello over \${transport}\`;
      const bytes = Buffer.from([0, 1, 2, 0x80, 0xfe, 0xff]);
      connection.send(text);
      connection.send(bytes, { binary: true });
      await two;
      assert.deepEqual(received[0], { data: Buffer.from(text), binary: false }, 'the text echo');
      assert.deepEqual(received[1], { data: bytes, binary: true }, 'the binary echo');
      connection.close(1000, 'done');
      const { code, wasClean, error } = await closed;
      assert.deepEqual({ code, wasClean }, { code: 1000, wasClean: true }, error && String(error.stack ?? error));
    } catch (error) {
      connection.terminate();
      throw error;
    }
  });
}

await step('an ordinary GET over h1, h2 and h3 reaches the request listener as node:http objects', 15_000, async () => {
  assert.ok(server, 'no server');
  const { request: httpsRequest } = await import('node:https');
  const { connect: connectHttp2 } = await import('node:http2');
  const { request: http3Request, SessionPool } = await import('@wstack/http3');
  const origin = server.url.replace('wss:', 'https:');
  const ca = server.devCert.cert;
  const overH1 = await new Promise((resolve, reject) => {
    httpsRequest(origin, { ca, ALPNProtocols: ['http/1.1'] }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  const session = connectHttp2(origin, { ca });
  const overH2 = await new Promise((resolve, reject) => {
    let text = '';
    session.request({ ':path': '/' }).setEncoding('utf8').on('data', (chunk) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  }).finally(() => session.close());
  const pool = new SessionPool();
  const overH3 = (await http3Request(origin, { tls: { ca }, pool }).finally(() => pool.close())).body.toString();
  assert.deepEqual([overH1, overH2, overH3], ['page over HTTP/1.1', 'page over HTTP/2.0', 'page over HTTP/3.0']);
});

if (server) await step('server.close()', 15_000, () => server.close());
// Topics beyond one process: two servers on one Redis, and the CLI's workers.
const redisUrl = process.env.WSTACK_TARBALL_REDIS;
if (redisUrl) {
  await step('@wstack/redis: a publish on one server reaches a subscriber of another through Redis', 15_000, async () => {
    const { redisTopics } = await import('@wstack/redis');
    const topics = [await redisTopics({ url: redisUrl }), await redisTopics({ url: redisUrl })];
    const servers = await Promise.all(topics.map((shared) => createServer({ topics: shared, handler: (connection) => connection.subscribe('news') })));
    try {
      const connection = await connect(servers[1].url, { transport: 'h1' });
      const arrived = new Promise((resolve) => connection.once('message', (data) => resolve(data.toString())));
      await topics[1].ready();
      const receipt = await servers[0].publish('news', 'across processes');
      assert.match(receipt.id, /^\\d+-\\d+$/);
      assert.equal(await arrived, 'across processes');
      connection.close();
    } finally {
      for (const each of servers) await each.close();
      for (const each of topics) await each.close();
    }
  });
}
await step('wstack serve --workers 2: a topic spans both workers', 30_000, async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(join(here, 'node_modules', '.bin', 'wstack'), ['serve', '--workers', '2', '--no-tls', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        text += chunk;
        const found = /listening on (ws:\\S+) .*with 2 workers/.exec(text);
        if (found) resolve(found[1]);
      });
      child.once('exit', (code) => reject(new Error(\`exited (\${code}): \${text}\`)));
    });
    const members = [];
    for (const transport of ['h1', 'h2', 'h1', 'h2']) members.push(await connect(\`\${url}topics/room\`, { transport }));
    const heard = members.slice(1).map((member) => new Promise((resolve) => member.once('message', (data) => resolve(data.toString()))));
    members[0].send('to the room');
    assert.deepEqual(await Promise.all(heard), ['to the room', 'to the room', 'to the room']);
    for (const member of members) member.close();
  } finally {
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'wstack serve exits 0 on SIGTERM');
  }
});
// The parent waits for this process to end by itself: a handle left open is a finding too.
console.log('# end');
`;
}

/** Debian's redis-server on a free loopback port, without persistence; undefined when it is not installed. */
async function startRedis() {
  const binary = process.env.WSTACK_REDIS_SERVER ?? '/usr/bin/redis-server';
  if (!existsSync(binary)) {
    process.stdout.write('# redis-server is not installed: the @wstack/redis step is skipped\n');
    return undefined;
  }
  const { createServer } = await import('node:net');
  const port = await new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(child);
  await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      text += chunk;
      if (text.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${text}`)));
  });
  return { child, url: `redis://127.0.0.1:${port}` };
}

const temps = [];
function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
function cleanUp() {
  if (keep) process.stdout.write(`# kept ${temps.join(' ')}\n`);
  else for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

async function main() {
  // 1. Build the public packages, then pack each outside the repository.
  const workspace = readdirSync(join(root, 'packages'))
    .map((name) => join(root, 'packages', name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
  const workspaceNames = new Set(workspace.map(({ manifest }) => manifest.name));
  const toPack = workspace.filter(({ manifest }) => manifest.private !== true);
  process.stdout.write(`# public packages: ${toPack.map(({ manifest }) => manifest.name).join(', ')}\n`);
  if (!check(toPack.some(({ manifest }) => manifest.name === 'wstack'), 'the umbrella package wstack is public')) return;

  // Only what is packed (and what it references) is built: the benchmarks and
  // examples are not published, and their state is not this test's concern.
  const BUILD_MS = 600_000;
  const projects = toPack.map(({ dir }) => relative(root, dir));
  const build = await run('npx', ['tsc', '-b', '--pretty', 'false', ...projects], { cwd: root, timeoutMs: BUILD_MS });
  if (!check(build.code === 0, `build (tsc -b ${projects.join(' ')})`, outcome(build, BUILD_MS))) return;

  const packs = tempDir('wstack-packs-');
  /** name → { tarball, dir (unpacked), files, manifest (as packed) } */
  const published = new Map();
  const PACK_MS = 180_000;
  for (const { dir, manifest } of toPack) {
    const pack = await run('npx', ['-y', `pnpm@${pnpmVersion}`, 'pack', '--pack-destination', packs, '--json'], { cwd: dir, timeoutMs: PACK_MS });
    let tarball;
    try {
      tarball = JSON.parse(pack.stdout).filename;
    } catch {}
    if (!check(pack.code === 0 && tarball !== undefined && existsSync(tarball), `pnpm pack ${manifest.name}`, outcome(pack, PACK_MS))) return;
    // Unpacked beside the tarballs (tar puts everything under package/), to read what npm will install.
    const unpacked = join(packs, 'unpacked', manifest.name.replace('/', '+'));
    mkdirSync(unpacked, { recursive: true });
    const untar = await run('tar', ['-xzf', tarball, '-C', unpacked], { cwd: packs, timeoutMs: 60_000 });
    const base = join(unpacked, 'package');
    if (!check(untar.code === 0 && existsSync(join(base, 'package.json')), `${manifest.name}: tarball unpacks`, outcome(untar, 60_000))) return;
    published.set(manifest.name, { tarball, dir: base, files: new Set(walk(base)), manifest: JSON.parse(readFileSync(join(base, 'package.json'), 'utf8')) });
  }

  for (const [name, { dir, files, manifest }] of published) {
    const problems = manifestProblems(manifest, files, published, workspaceNames);
    check(problems.length === 0, `${name}: packed manifest (dependencies, exports, bin) points at packed files and published packages`, problems.join('\n'));
    const unready = publishProblems(manifest, files, workspaceNames, published);
    check(unready.length === 0, `${name}: ready to publish (LICENSE, README, repository, keywords, engines, no test tooling)`, unready.join('\n'));
    const missing = importProblems(dir, manifest, files, published);
    check(missing.length === 0, `${name}: every import in its packed JavaScript is packed or declared`, missing.join('\n'));
  }

  // 2. A fresh project outside the repository, installing every tarball at
  // once. The overrides send the packages' dependencies on each other to the
  // same tarballs, so no @wstack package can come from the registry.
  const project = tempDir('wstack-project-');
  const fromTarballs = Object.fromEntries([...published].map(([name, { tarball }]) => [name, `file:${tarball}`]));
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'wstack-tarball-test', version: '0.0.0', private: true, type: 'module', dependencies: fromTarballs, overrides: fromTarballs }, null, 2)}\n`);
  const INSTALL_MS = 300_000;
  const install = await run('npm', ['install', '--no-audit', '--no-fund'], { cwd: project, timeoutMs: INSTALL_MS });
  if (!check(install.code === 0, `npm install of ${published.size} tarballs in ${project}`, outcome(install, INSTALL_MS))) return;

  const ls = await run('npm', ['ls', '--all'], { cwd: project, timeoutMs: 60_000 });
  check(ls.code === 0, 'npm ls --all: the installed tree is complete and valid', outcome(ls, 60_000));

  // Each package once, at the top, and the lockfile's integrity is our tarball's hash.
  const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')).packages;
  for (const [name, { tarball, manifest }] of published) {
    const entries = Object.entries(lock).filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    const problems = [];
    if (entries.length !== 1) problems.push(`installed ${entries.length} times: ${entries.map(([path, entry]) => `${path} (${entry.resolved ?? entry.version})`).join(', ')}`);
    for (const [path, entry] of entries) {
      if (!String(entry.resolved).startsWith('file:')) problems.push(`${path} resolved from ${entry.resolved}, not from the tarball`);
      if (entry.integrity !== undefined && entry.integrity !== integrity) problems.push(`${path} has integrity ${entry.integrity}, the tarball ${integrity}`);
    }
    const installed = join(project, 'node_modules', name, 'package.json');
    if (!existsSync(installed) || JSON.parse(readFileSync(installed, 'utf8')).version !== manifest.version) problems.push(`node_modules/${name}/package.json is not version ${manifest.version}`);
    check(problems.length === 0, `${name}: installed once, from its tarball`, problems.join('\n'));
  }

  // 3. Run the product from the fresh project: every export, then the echo.
  const specifiers = [...published].flatMap(([name, { manifest }]) => Object.keys(exportTargets(manifest.exports)).filter((subpath) => !subpath.includes('*')).map((subpath) => posix.join(name, subpath)));
  writeFileSync(join(project, 'smoke.mjs'), smokeScript(specifiers));
  const SMOKE_MS = 90_000;
  // A Redis for @wstack/redis's step: CI installs redis-server; elsewhere the step is skipped, said here.
  const redis = await startRedis();
  if (redis) process.env.WSTACK_TARBALL_REDIS = redis.url;
  else check(process.env.CI !== 'true', 'redis-server is installed (CI must have it for the @wstack/redis step)');
  const GRACE_MS = 10_000;
  let ended = false;
  let lingered = false;
  let grace;
  const smoke = await run(process.execPath, ['smoke.mjs'], {
    cwd: project,
    timeoutMs: SMOKE_MS,
    onLine(line, child) {
      const result = /^(ok|not ok) - /.exec(line);
      if (result) {
        if (result[1] === 'ok') passed++;
        else failed++;
      }
      if (line === '# end') {
        ended = true;
        // Everything is closed: the process should now end on its own.
        grace = setTimeout(() => {
          lingered = true;
          killGroup(child);
        }, GRACE_MS);
      } else process.stdout.write(`${line}\n`);
    },
  });
  clearTimeout(grace);
  redis?.child.kill('SIGKILL');
  // Its stdout is already shown above, line by line.
  if (!ended) check(false, 'the echo script ran to its end', outcome({ ...smoke, stdout: '' }, SMOKE_MS));
  else check(!lingered && smoke.code === 0, `the echo script's process ends by itself after server.close() (within ${GRACE_MS / 1000} s)`, lingered ? 'still running; killed' : outcome({ ...smoke, stdout: '' }, SMOKE_MS));

  // CommonJS users: require() of every entry (Node 20.19 and later load ES modules so).
  const requireScript = `for (const specifier of ${JSON.stringify(specifiers)}) { const module = require(specifier); if (Object.keys(module).length === 0) throw new Error(specifier + ' exports nothing'); }`;
  const required = await run(process.execPath, ['--no-warnings', '--input-type=commonjs', '-e', requireScript], { cwd: project, timeoutMs: 30_000 });
  check(required.code === 0, `require() of every entry from CommonJS (${specifiers.length})`, outcome(required, 30_000));

  // 4. The command line, as npm linked it into node_modules/.bin.
  for (const [name, { manifest }] of published) {
    const bins = typeof manifest.bin === 'string' ? { [manifest.name]: manifest.bin } : (manifest.bin ?? {});
    for (const bin of Object.keys(bins)) {
      const cli = await run(join(project, 'node_modules', '.bin', bin), ['--help'], { cwd: project, timeoutMs: 30_000 });
      check(cli.code === 0 && /usage/i.test(cli.stdout), `${name}: \`${bin} --help\` from node_modules/.bin exits 0 with its usage`, outcome(cli, 30_000));
      const version = await run(join(project, 'node_modules', '.bin', bin), ['--version'], { cwd: project, timeoutMs: 30_000 });
      check(version.code === 0 && version.stdout.trim() === manifest.version, `${name}: \`${bin} --version\` prints ${manifest.version}`, outcome(version, 30_000));
    }
  }
}

try {
  await main();
} catch (error) {
  check(false, 'the tarball test itself', error?.stack ?? error);
} finally {
  cleanUp();
}
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
