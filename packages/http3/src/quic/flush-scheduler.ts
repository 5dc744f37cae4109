/**
 * Flushes once per event-loop turn: a connection that has work (datagrams
 * arrived, a stream wrote or resumed) is marked, and one setImmediate at
 * the end of the turn flushes every marked connection, once, for everything
 * that turn did.
 */

/** What the end-of-turn flush asks of a connection. */
export interface Flushable {
  /** Hands the connection's work to quiche and quiche's packets to the socket. */
  flush(): void;
  /** A flush that a handler's exception cut short: the rest next turn. */
  flushAgain(): void;
}

/** Connections with work for the end of this turn; one setImmediate for all of them. */
const dirty = new Set<Flushable>();
let flushScheduled = false;

/**
 * An exception from a handler (the application's code runs inside a flush)
 * is rethrown once every connection had its turn, as Node does with a
 * listener's exception; the connection it came from flushes again next turn,
 * so its packets leave and its timer is set.
 */
function flushAll(): void {
  flushScheduled = false;
  let failure: { error: unknown } | undefined;
  for (const connection of dirty) {
    dirty.delete(connection);
    try {
      connection.flush();
    } catch (error) {
      failure ??= { error };
      connection.flushAgain();
    }
  }
  if (failure) throw failure.error;
}

/** Flushes `connection` at the end of this turn. */
export function scheduleFlush(connection: Flushable): void {
  dirty.add(connection);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

/** Takes `connection` off this turn's list: it has nothing left to flush, or it ended. */
export function unscheduleFlush(connection: Flushable): void {
  dirty.delete(connection);
}
