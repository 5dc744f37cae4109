/**
 * Progress on stderr: one line rewritten in place on a terminal, one line
 * per step otherwise (so that a log file stays readable). stdout is left to
 * the results.
 */
const started = Date.now();
const tty = process.stderr.isTTY === true;
let section = '';

function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s`;
}

export function beginSection(name: string): void {
  section = name;
  if (tty) process.stderr.write('\n');
  process.stderr.write(`[${elapsed()}] ${name}\n`);
}

export function step(text: string): void {
  const line = `[${elapsed()}] ${section}: ${text}`;
  if (tty) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 100) - 1)}`);
  else process.stderr.write(`${line}\n`);
}

export function done(): void {
  if (tty) process.stderr.write('\n');
  process.stderr.write(`[${elapsed()}] finished\n`);
}
