/** The wstack command line as a child process, with its output as lines to wait for. */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface Running {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line that matches. */
  line(pattern: RegExp): Promise<string>;
}

export function start(args: string[], input?: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: [RegExp, (line: string) => void][] = [];
  const take = (text: string) => {
    for (const line of text.split('\n').filter(Boolean)) {
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter[0].test(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter[1](line);
        }
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', take);
  child.stderr!.setEncoding('utf8').on('data', take);
  if (input !== undefined) child.stdin!.end(input);
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    lines,
    line: (pattern) => {
      const seen = lines.find((line) => pattern.test(line));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push([pattern, resolve]));
    },
  };
}

export async function exitCode(running: Running): Promise<number> {
  if (running.child.exitCode !== null) return running.child.exitCode;
  const [code] = await once(running.child, 'exit');
  return code as number;
}

