#!/usr/bin/env node
/**
 * Runs every workspace package's tests (tap) one package at a time and prints
 * what matters: failures with their diagnostics, skips, coverage tables, and
 * each package's count; then one closing line, "tests: N passed, N failed,
 * N skipped". Full TAP output of each run stays in the package's .tap folder.
 * With no package named, the structure check and the API report check run
 * first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const ORDER = ['protocol', 'core', 'testkit', 'http1', 'http2', 'http3', 'wstack', 'redis'];
const only = process.argv.slice(2);

function packages() {
  const found = [];
  for (const folder of ['packages', 'examples', 'benchmarks']) {
    const base = join(root, folder);
    if (!existsSync(base)) continue;
    const dirs = folder === 'benchmarks' ? [base] : readdirSync(base).map((name) => join(base, name));
    for (const dir of dirs) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      const { name, scripts } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (scripts?.test) found.push({ name, dir, short: dir.split('/').pop() });
    }
  }
  const rank = (p) => (ORDER.includes(p.short) ? ORDER.indexOf(p.short) : ORDER.length);
  return found.sort((a, b) => rank(a) - rank(b)).filter((p) => only.length === 0 || only.includes(p.short) || only.includes(p.name));
}

/** Runs `pnpm test` of one package, keeping failure blocks, coverage and summary lines. */
function run(pkg) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'test', '--', '--reporter=tap'], { cwd: pkg.dir, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } });
    let pending = '';
    let inFailure = -1;
    const counts = { pass: 0, fail: 0, skip: 0, todo: 0, total: 0, found: false };
    const keep = (line) => process.stdout.write(`${line}\n`);
    const handle = (line) => {
      const indent = line.length - line.trimStart().length;
      const text = line.trimStart();
      if (inFailure >= 0 && (indent < inFailure || (indent === inFailure && /^(ok|not ok|# Subtest)/.test(text)))) inFailure = -1;
      if (/^not ok /.test(text) && !/# TODO/.test(text)) {
        inFailure = indent;
        keep(line);
      } else if (inFailure >= 0) {
        keep(line);
      } else if (/^ok .*# SKIP/.test(text)) {
        keep(line);
      } else if (/^[-|]|^File |^All files|^ \S.*\|/.test(line) || /^# \{ total/.test(text) && indent === 0) {
        keep(line);
      }
      const summary = /^# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))? \}/.exec(line);
      if (summary) {
        counts.found = true;
        counts.total = Number(summary[1]);
        counts.pass = Number(summary[2] ?? 0);
        counts.fail = Number(summary[3] ?? 0);
        counts.skip = Number(summary[4] ?? 0);
        counts.todo = Number(summary[5] ?? 0);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop();
      lines.forEach(handle);
    });
    child.on('close', (code) => {
      if (pending) handle(pending);
      resolve({ code, counts });
    });
  });
}

/** The structure and the public API, checked before any test: one line each, and a failure counts as a failing package. */
function check(name, script, args = []) {
  process.stdout.write(`\n=== ${name}\n`);
  const result = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], { stdio: 'inherit' });
  return result.status === 0 ? [] : [name];
}

let passed = 0;
let failed = 0;
let skipped = 0;
let failedPackages = only.length === 0 ? [...check('structure', 'check-structure.mjs'), ...check('API reports', 'api-report.mjs', ['--check'])] : [];
failed += failedPackages.length;
for (const pkg of packages()) {
  process.stdout.write(`\n=== ${pkg.name}\n`);
  const started = Date.now();
  const { code, counts } = await run(pkg);
  passed += counts.pass;
  failed += counts.fail;
  skipped += counts.skip + counts.todo;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (code !== 0 || !counts.found) {
    failedPackages.push(pkg.name);
    if (counts.fail === 0) failed += 1; // a run that failed without a failing assertion (coverage, crash) counts once
    process.stdout.write(`=== ${pkg.name}: FAILED (exit ${code}${counts.found ? '' : ', no summary'}) in ${seconds} s\n`);
  } else {
    process.stdout.write(`=== ${pkg.name}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped in ${seconds} s\n`);
  }
}
process.stdout.write(`\n${failedPackages.length ? `failing packages: ${failedPackages.join(', ')}\n` : ''}`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failedPackages.length === 0 ? 0 : 1);
