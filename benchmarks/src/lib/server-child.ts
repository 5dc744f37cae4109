/** Starts a server child (servers/serve.ts) and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, Reply, ServerKind, ServerMode, Stats } from '../servers/protocol.js';

const entry = fileURLToPath(new URL('../servers/serve.js', import.meta.url));

export class ServerChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** Whatever the server tells its clients (HTTP/3's certificate pin and ports, as JSON: serve-h3.ts). */
    readonly detail: string | undefined,
  ) {}

  static start(kind: ServerKind, mode: ServerMode, timeoutMs = 15_000): Promise<ServerChild> {
    const child = fork(entry, [kind, mode], { execArgv: ['--expose-gc', ...extraNodeOptions(kind)], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${kind} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      child.once('message', (reply: Reply) => {
        clearTimeout(timer);
        if (reply.type === 'ready') resolve(new ServerChild(child, reply.port, reply.detail));
        else {
          child.kill();
          reject(new Error(reply.type === 'failed' ? reply.reason : `unexpected ${reply.type}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${kind} exited with ${code}`));
      });
    });
  }

  request<T extends Reply['type']>(command: Command, type: T, timeoutMs = 60_000): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', listener);
        reject(new Error(`no '${type}' from the server within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (reply: Reply) => {
        if (reply.type !== type) return;
        clearTimeout(timer);
        this.child.off('message', listener);
        resolve(reply as Extract<Reply, { type: T }>);
      };
      this.child.on('message', listener);
      this.child.send(command);
    });
  }

  stats(gc = false): Promise<Stats> {
    return this.request({ cmd: 'stats', gc }, 'stats');
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGTERM');
    });
  }
}

/** A profile of the server under test, when BENCH_PROFILE names its kind (`--cpu-prof`). */
function extraNodeOptions(kind: ServerKind): string[] {
  return process.env.BENCH_PROFILE === kind ? ['--cpu-prof', '--cpu-prof-dir=benchmarks/results/profiles'] : [];
}
