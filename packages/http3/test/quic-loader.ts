/**
 * Where no prebuilt quiche module exists for the platform, importing
 * @wstack/http3 fails with one clear error, and the rest of the stack still
 * loads. Simulated in a child process whose module resolution refuses the
 * native packages (runs against the build, dist/).
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

t.test('no native QUIC module: QuicUnavailableError at import, core still loads', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wstack-h3-loader-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The loader uses require (createRequire), so the refusal sits in CommonJS resolution.
  writeFileSync(
    join(dir, 'refuse.cjs'),
    `const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request.startsWith('@matrixai/quic-')) throw Object.assign(new Error('Cannot find module ' + request + ' (simulated)'), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };\n`,
  );
  writeFileSync(
    join(dir, 'main.mjs'),
    `try { await import(${JSON.stringify(pathToFileURL(dist).href)}); console.log('loaded'); }
    catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }
    const core = await import(${JSON.stringify(import.meta.resolve('@wstack/core'))});
    console.log(typeof core.WebSocketConnection);\n`,
  );
  const output = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--require', join(dir, 'refuse.cjs'), join(dir, 'main.mjs')], { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
  const [first, second] = output.trim().split('\n');
  const error = JSON.parse(first!) as { name: string; code: string; message: string };
  t.equal(error.name, 'QuicUnavailableError');
  t.equal(error.code, 'QUIC_UNAVAILABLE');
  t.match(error.message, `@matrixai/quic-${process.platform}-${process.arch}`, 'names the missing package');
  t.match(error.message, /HTTP\/1\.1 and HTTP\/2/);
  t.equal(second, 'function', '@wstack/core loads without it');
});
