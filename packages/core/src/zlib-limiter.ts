/**
 * A bound on zlib jobs running at once across all connections. zlib works
 * in libuv's thread pool; thousands of connections compressing at once
 * would queue there anyway while each holds its buffers, and the many live
 * zlib contexts fragment the heap. Jobs beyond the bound wait their turn.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(public concurrency: number) {}

  /** Runs `job` once a slot is free; the slot is held until its promise settles. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}

/** The one limiter shared by every connection's compression. Default: 10 jobs. */
export const zlibLimiter = new Limiter(10);
