/**
 * Client sessions shared by the WebSockets to an origin, the same for
 * HTTP/2 and HTTP/3: one session (an HTTP/2 session, a QUIC connection)
 * carries many WebSocket streams (RFC 8441 §1, RFC 9220 §3). A session
 * takes them once the server's SETTINGS arrived, since only they say
 * whether extended CONNECT may be sent (RFC 8441 §3, RFC 9220 §3), and only
 * as many at once as the server allows (SETTINGS_MAX_CONCURRENT_STREAMS,
 * RFC 9113 §5.1.2): the rest go to another session to the same origin. A
 * session that received GOAWAY or failed takes no new WebSockets; one
 * without WebSockets is closed (at once by default, or after `idleTimeout`).
 */

/** What the pool asks of a session. */
export interface PooledSession {
  /** Resolves once the session takes WebSocket streams; rejects when it cannot (its opening failed). */
  readonly ready: Promise<void>;
  /** Streams it may carry at once, asked once `ready` resolved; Infinity for no limit. */
  readonly maxStreams: number;
  /** Calls `listener` (once or more) when the session stops taking new streams: GOAWAY, a failure, its close. */
  onRetired(listener: () => void): void;
  /** Closes the session once its streams are done; one still opening stops opening. Calls after the first do nothing. */
  close(): void;
  /** In use, or idle: an idle session need not keep the process alive. */
  used?(inUse: boolean): void;
}

/** A share of a ready session: held by one handshake and then by what it opened. */
export interface OriginLease<S> {
  readonly session: S;
  /** Hands the share to what the handshake opened: given back when that closes. */
  hold(opened: { once(event: 'close', listener: () => void): unknown }): void;
  /** Gives the share back (a handshake that failed). */
  release(): void;
}

/** Waits for a promise within the caller's time limit and abort signal. */
export type Wait = <T>(promise: Promise<T>) => Promise<T>;

interface Entry<S> {
  key: string;
  session: S;
  /** Handshakes and what they opened on the session. */
  users: number;
  /** Of those, the ones past the SETTINGS, which count against the server's stream limit. */
  streams: number;
  /** False once the session was retired. */
  usable: boolean;
  /** `ready` resolved: the stream limit is known. */
  settled: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

export abstract class OriginPool<S extends PooledSession, O> {
  private readonly entries = new Map<string, Entry<S>[]>();

  /** `idleTimeout`: ms a session stays open after its last WebSocket ended; 0 closes it at once, Infinity keeps it until `close()`. */
  constructor(private readonly idleTimeout: number) {}

  /** Which sessions may be shared: the origin and the options that make a session differ (TLS). */
  protected abstract key(url: URL, options: O): string;

  /** Starts a new session to the URL's origin. */
  protected abstract open(url: URL, options: O): S;

  /** Sessions open or opening. */
  get sessionCount(): number {
    let count = 0;
    for (const list of this.entries.values()) count += list.length;
    return count;
  }

  /** A share of a ready session to the URL's origin with room for another stream: an open one, or a new one. Fails as the session's opening does. */
  async acquire(url: URL, options: O, wait: Wait): Promise<OriginLease<S>> {
    const key = this.key(url, options);
    for (;;) {
      const entry = this.pick(key) ?? this.start(key, url, options);
      this.use(entry);
      try {
        await wait(entry.session.ready);
      } catch (error) {
        this.release(entry);
        throw error;
      }
      // Sharers that came before the SETTINGS may be more than the server allows: the rest try another session.
      if (entry.usable && entry.streams < maxStreams(entry)) {
        entry.streams++;
        return this.lease(entry);
      }
      this.release(entry);
    }
  }

  /** Whether a ready session to the URL's origin, with these options, takes WebSockets. */
  hasSession(url: URL, options: O): boolean {
    return this.entries.get(this.key(url, options))?.some((entry) => entry.usable && entry.settled) ?? false;
  }

  /** The session takes no new WebSockets (a transport found it out of streams); it closes once its own are gone. */
  retire(session: S): void {
    for (const list of this.entries.values()) for (const entry of list) if (entry.session === session) return this.drop(entry);
  }

  /** Takes no new WebSockets; every session closes once its WebSockets have ended. */
  close(): void {
    for (const list of [...this.entries.values()]) {
      for (const entry of list) {
        this.drop(entry);
        clearTimeout(entry.idleTimer);
        entry.session.close();
      }
    }
  }

  private pick(key: string): Entry<S> | undefined {
    return this.entries.get(key)?.find((entry) => entry.usable && entry.users < maxStreams(entry));
  }

  private start(key: string, url: URL, options: O): Entry<S> {
    const session = this.open(url, options);
    const entry: Entry<S> = { key, session, users: 0, streams: 0, usable: true, settled: false, idleTimer: undefined };
    // Nobody may be waiting when it fails; the failure reaches each handshake through `ready`.
    session.ready.then(
      () => (entry.settled = true),
      () => this.drop(entry),
    );
    session.onRetired(() => this.drop(entry));
    let list = this.entries.get(key);
    if (list === undefined) this.entries.set(key, (list = []));
    list.push(entry);
    return entry;
  }

  private use(entry: Entry<S>): void {
    entry.users++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    entry.session.used?.(true);
  }

  private lease(entry: Entry<S>): OriginLease<S> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      entry.streams--;
      this.release(entry);
    };
    return { session: entry.session, hold: (opened) => opened.once('close', release), release };
  }

  private release(entry: Entry<S>): void {
    entry.users--;
    if (entry.users !== 0) return;
    // Unused and still opening (every handshake gave up: aborted, or another transport won), or retired, or not kept idle: closed.
    if (!entry.settled || !entry.usable || this.idleTimeout === 0) {
      this.drop(entry);
      entry.session.close();
      return;
    }
    entry.session.used?.(false);
    if (Number.isFinite(this.idleTimeout)) {
      entry.idleTimer = setTimeout(() => {
        this.drop(entry);
        entry.session.close();
      }, this.idleTimeout);
      entry.idleTimer.unref();
    }
  }

  /** The session takes no new WebSockets. */
  private drop(entry: Entry<S>): void {
    entry.usable = false;
    const list = this.entries.get(entry.key);
    if (list === undefined) return;
    const index = list.indexOf(entry);
    if (index !== -1) list.splice(index, 1);
    if (list.length === 0) this.entries.delete(entry.key);
  }
}

/**
 * The server's stream limit. Until its SETTINGS came every handshake to the
 * origin waits on the same session (the initial limit is unlimited, RFC 9113
 * §6.5.2); those past the limit then move on to another session.
 */
function maxStreams(entry: Entry<{ maxStreams: number }>): number {
  return entry.settled ? entry.session.maxStreams : Infinity;
}
