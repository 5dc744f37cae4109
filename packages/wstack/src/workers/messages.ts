/** What workers and the primary process say to each other about topics, over node:cluster's IPC channel. */
import type { RelayedMessage } from '@wstack/core';

export const TAG = 'wstack:topics';

/** Set in the primary's environment by relayWorkerTopics, so in its workers'. */
export const RELAY_ENV = 'WSTACK_TOPICS_RELAY';

/** From a worker: follow and publish are answered with `done` and their id. */
export type WorkerSays =
  | { tag: typeof TAG; op: 'follow'; id: number; topic: string }
  | { tag: typeof TAG; op: 'unfollow'; topic: string }
  | { tag: typeof TAG; op: 'publish'; id: number; message: RelayedMessage };

/** From the primary. */
export type PrimarySays =
  | { tag: typeof TAG; op: 'done'; id: number; workers: number }
  | { tag: typeof TAG; op: 'deliver'; message: RelayedMessage };

export function isTopicsMessage<T extends WorkerSays | PrimarySays>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && (value as { tag?: unknown }).tag === TAG;
}
