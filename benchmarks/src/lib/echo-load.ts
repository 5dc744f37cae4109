/**
 * Closed-loop echo load: each client sends a message, waits for its echo,
 * sends the next. A warm-up, then a measured window bracketed by readings
 * of the server's own CPU time.
 */
import type { EchoClient, Reply } from './echo-clients.js';
import type { ServerChild } from './server-child.js';
import { quantile, sleep } from './format.js';

export type OpenClient = (port: number, reply: Reply) => Promise<EchoClient>;

export interface EchoFigures {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Payload bytes echoed per second, in MB (10^6). */
  megabytesPerSecond: number;
  cpuMicrosPerMessage: number;
  /** The load generator's own CPU (this process, user + system) per message: the client's half of a closed loop. */
  clientCpuMicrosPerMessage: number;
  p50Ms: number;
  p99Ms: number;
}

/** A pool of open clients against one server; cases use the first `count`. */
export class EchoPool {
  private readonly clients: EchoClient[] = [];
  private readonly onReply: Reply[] = [];

  constructor(
    private readonly server: ServerChild,
    private readonly open: OpenClient,
  ) {}

  async ensure(count: number): Promise<void> {
    while (this.clients.length < count) {
      const batch = Math.min(32, count - this.clients.length);
      const opened = await Promise.all(
        Array.from({ length: batch }, () => {
          const index = this.onReply.length;
          this.onReply.push(() => {});
          return this.open(this.server.port, () => this.onReply[index]!());
        }),
      );
      this.clients.push(...opened);
    }
  }

  async run(count: number, payload: Buffer | string, binary: boolean, warmupMs: number, measureMs: number): Promise<EchoFigures> {
    await this.ensure(count);
    let measuring = false;
    let stopping = false;
    let messages = 0;
    let outstanding = 0;
    const latencies: number[] = [];
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    for (let i = 0; i < count; i++) {
      const client = this.clients[i]!;
      let sentAt = 0;
      const fire = () => {
        sentAt = performance.now();
        outstanding++;
        client.send(payload, binary);
      };
      this.onReply[i] = () => {
        outstanding--;
        if (measuring) {
          messages++;
          latencies.push(performance.now() - sentAt);
        }
        if (!stopping) fire();
      };
      fire();
    }
    await sleep(warmupMs);
    const before = await this.server.stats();
    measuring = true;
    const started = performance.now();
    const clientBefore = process.cpuUsage();
    await sleep(measureMs);
    measuring = false;
    const clientCpu = process.cpuUsage(clientBefore);
    const seconds = (performance.now() - started) / 1000;
    const after = await this.server.stats();
    stopping = true;
    // Let the messages in flight come back before the next case.
    const deadline = performance.now() + 5000;
    while (outstanding > 0 && performance.now() < deadline) await sleep(5);
    for (let i = 0; i < count; i++) this.onReply[i] = () => {};
    return {
      messages,
      seconds,
      messagesPerSecond: messages / seconds,
      megabytesPerSecond: (messages * size) / seconds / 1e6,
      cpuMicrosPerMessage: (after.cpuMicros - before.cpuMicros) / messages,
      clientCpuMicrosPerMessage: (clientCpu.user + clientCpu.system) / messages,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
    };
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
