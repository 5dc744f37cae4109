/** The messages between the soak's orchestrator and its children (node IPC). */

export interface Memory {
  heapUsed: number;
  /** What V8 holds for its heap, used or not. */
  heapTotal: number;
  rss: number;
  external: number;
  /** Handles keeping the event loop alive (sockets, timers, servers). */
  handles: number;
  /** WebSockets open on the server. */
  websockets: number;
  /** The longest the server's event loop was late since the last measure, in ms. */
  loopDelayMax: number;
}

/** What the load generator and the victims count. */
export interface LoadCounts {
  opened: number;
  openFailed: number;
  /** Well-behaved echo messages: sent, and echoed back intact. */
  echoSent: number;
  echoDelivered: number;
  echoCorrupt: number;
  /** Echo WebSockets that closed before their last echo came back, or waited 30 s for it (none should). */
  echoLost: number;
  /** Lost echoes by transport and how: the WebSocket closed, or the echo never came. */
  echoLostBy: Record<string, number>;
  stalled: number;
  resets: number;
  oversized: number;
  /** Oversized messages the server refused with 1009. */
  oversizedRefused: number;
  goaways: number;
  /** WebSockets closed between their handshake and their first message (by the server or a GOAWAY). */
  closedBeforeUse: number;
  /** Close codes the clients saw, by code. */
  closeCodes: Record<string, number>;
  /** Why opening failed, by transport and message (digits as N). */
  openFailures: Record<string, number>;
  /** The longest the load's event loop was late, in ms. */
  loopDelayMax: number;
  /** Slots busy now, by transport and part: what a load that overruns its deadline waits for. */
  busy: Record<string, number>;
}

export type ServerReply =
  | { type: 'ready'; port: number }
  | { type: 'memory'; memory: Memory }
  | { type: 'closed'; closed: number; terminated: number; closes: Record<string, number> };

export type ServerCommand = { type: 'measure' } | { type: 'close' };
