/**
 * The benchmark suite: `pnpm bench [--quick] [--only=1,2,…]`.
 * Runs each section, bounded in time, with progress on stderr, and writes
 * benchmarks/results/latest.md and latest.svg.
 *
 * The memory and broadcast sections hold thousands of sockets: the run
 * re-executes itself under a shell that raises the open-files limit first,
 * and every server child inherits it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseConfig } from './lib/config.js';
import { describeMachine } from './lib/machine.js';
import { renderMarkdown } from './lib/markdown.js';
import { beginSection, done } from './lib/progress.js';
import type { SectionResult } from './lib/report-types.js';
import { renderSvg } from './lib/svg.js';
import { codecSection } from './sections/codec.js';
import { echoSection } from './sections/echo.js';
import { streamSection } from './sections/stream.js';
import { memorySection } from './sections/memory.js';
import { multiplexSection } from './sections/multiplex.js';
import { broadcastSection } from './sections/broadcast.js';
import { requestsSection } from './sections/requests.js';
import { fanoutSection } from './sections/fanout.js';

const FD_LIMIT = 65536;

if (process.env.WSTACK_BENCH_RAISED === undefined) {
  const script = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
  const result = spawnSync('sh', ['-c', script, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, WSTACK_BENCH_RAISED: '1' },
  });
  process.exit(result.status ?? 1);
}

const config = parseConfig(process.argv.slice(2));
const machine = describeMachine();
const started = performance.now();
const results = new URL('../results/', import.meta.url);
mkdirSync(results, { recursive: true });

const sections: [number, string, () => Promise<SectionResult>][] = [
  [1, '1. Codec', () => codecSection(config)],
  [2, '2. Echo over HTTP/1.1', () => echoSection(config)],
  [3, '3. Streaming', () => streamSection(config)],
  [4, '4. Memory per idle connection', () => memorySection(config)],
  [5, '5. HTTP/2 and HTTP/3', () => multiplexSection(config)],
  [6, '6. Broadcast', () => broadcastSection(config)],
  [7, '7. Requests over HTTP/2 and HTTP/3', () => requestsSection(config)],
  [8, '8. Fan-out across processes', () => fanoutSection(config)],
];

const finished: SectionResult[] = [];
const write = () => {
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(new URL('latest.svg', results), renderSvg(finished));
  // The hand-written analysis (profiles, reasons a target is out of reach) travels with the figures.
  const analysis = new URL('../ANALYSIS.md', import.meta.url);
  const appendix = existsSync(analysis) ? `\n${readFileSync(analysis, 'utf8')}` : '';
  writeFileSync(new URL('latest.md', results), renderMarkdown(machine, config.quick, finished, seconds, 'latest.svg') + appendix);
};
for (const [number, title, run] of sections) {
  if (!config.sections.has(number)) continue;
  beginSection(title);
  try {
    finished.push(await run());
  } catch (error) {
    finished.push({ title, tables: [], notes: [`failed: ${(error as Error).stack ?? String(error)}`], targets: [] });
  }
  // Partial results survive a run that is cut short.
  write();
}
done();
process.stderr.write(`results: ${fileURLToPath(new URL('latest.md', results))}\n`);
process.exit(0);
