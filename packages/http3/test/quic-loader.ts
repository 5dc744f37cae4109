/**
 * Where @matrixai/quic has no native module for the platform, importing
 * @wstack/http3 fails with one clear error, and the rest of the stack still
 * loads. Simulated in a child process whose module resolution refuses the
 * QUIC package (runs against the build, dist/).
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
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `export async function resolve(specifier, context, next) {
      if (specifier === '@matrixai/quic') throw new Error('Failed requiring possible native bindings (simulated)');
      return next(specifier, context);
    }\n`,
  );
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  writeFileSync(
    join(dir, 'main.mjs'),
    `try { await import(${JSON.stringify(pathToFileURL(dist).href)}); console.log('loaded'); }
    catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }
    const core = await import(${JSON.stringify(import.meta.resolve('@wstack/core'))});
    console.log(typeof core.WebSocketConnection);\n`,
  );
  const output = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'main.mjs')], { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, NODE_OPTIONS: '' } }, (error, stdout) =>
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
