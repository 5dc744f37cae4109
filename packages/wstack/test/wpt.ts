/**
 * web-platform-tests' websockets/*.any.js files (kept byte for byte in
 * test/wpt, see its README) against the WHATWG WebSocket of this package,
 * over HTTP/1.1, HTTP/2 and, for the files that only open wss:// URLs,
 * HTTP/3. Each subtest is one assertion named after its file and its name.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import type { ClientTransport } from '../src/index.js';
import { createHandlerServer } from './wpt-harness/handlers.js';
import { runWptFile, variantsOf, WPT_DIR, type WptEnvironment } from './wpt-harness/run-file.js';

const files = readdirSync(WPT_DIR)
  .filter((name) => name.endsWith('.any.js'))
  .sort();

/** The files and variants that opened a ws:// WebSocket over HTTP/1.1: HTTP/3 cannot carry them (QUIC is always encrypted). */
const cleartext = new Set<string>();

const plain = await createHandlerServer();
const secure = await createHandlerServer({ devCert: true });
t.teardown(async () => {
  await Promise.all([plain.close(), secure.close()]);
});

const transports: ClientTransport[] = ['h1', 'h2'];
if (secure.transports.includes('h3')) transports.push('h3');
else t.comment(`HTTP/3 not run: ${secure.http3Unavailable?.message}`);

for (const transport of transports) {
  t.test(`over ${transport}`, async (t) => {
    const env: WptEnvironment = {
      host: '127.0.0.1',
      wsPort: plain.address.port,
      wssPort: secure.address.port,
      options: { transport, tls: { ca: secure.devCert!.cert } },
      timeoutMs: 10_000,
    };
    let kept = 0;
    let passed = 0;
    let total = 0;
    for (const file of files) {
      const variants = variantsOf(file).filter((variant) => transport !== 'h3' || !cleartext.has(file + variant));
      if (variants.length !== 0) kept++;
      for (const variant of variants) {
        const outcome = await runWptFile(file, variant, env);
        if (outcome.openedCleartext) cleartext.add(file + variant);
        if (outcome.error !== undefined) t.fail(`${file}${variant}: harness error`, { error: outcome.error });
        for (const result of outcome.results) {
          total++;
          if (result.status === 'PASS') passed++;
          t.equal(result.status, 'PASS', `${file}${variant}: ${result.name}`, result.message === undefined ? {} : { reason: result.message });
        }
      }
    }
    t.comment(`WPT over ${transport}: ${passed}/${total} subtests passed, ${kept} files`);
  });
}
