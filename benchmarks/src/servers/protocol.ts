/** Messages between the benchmark and a server child (over the IPC channel). */

export type ServerKind = 'wstack-h1' | 'ws' | 'raw-tcp' | 'raw-net' | 'wstack-h2' | 'raw-h2' | 'wstack-h3' | 'wstack-h1h3';
/** echo: send every message back; sink: count bytes; idle: hold connections. */
export type ServerMode = 'echo' | 'sink' | 'idle';

export type Command =
  | { cmd: 'stats'; gc?: boolean }
  | { cmd: 'broadcast'; rounds: number; size: number; paced: boolean };

export interface Stats {
  type: 'stats';
  /** process.cpuUsage() of the server, µs, user + system since start. */
  cpuMicros: number;
  rss: number;
  heapUsed: number;
  /** Bytes V8 reserves for its young generation, which grows once under load and is not memory per connection. */
  newSpace: number;
  external: number;
  connections: number;
  bytesIn: number;
}

export type Reply =
  | { type: 'ready'; port: number; detail?: string }
  | { type: 'failed'; reason: string }
  | Stats
  | { type: 'broadcasted'; cpuMicros: number; flushedMs: number; connections: number };
