/**
 * The callbacks of a carrier's `whenFlushed` (carrier.ts): each waits for
 * the bytes written before it asked to be handed to the network. A carrier
 * counts the bytes it was ever given and those it has handed on; this keeps
 * the callbacks in order between the two counts.
 */
export class FlushWaiters {
  private readonly waiting: { until: number; callback: () => void }[] = [];

  /** `callback` once `flushed` reaches `written`: on the next tick when it already has, else from `settle`. */
  add(written: number, flushed: number, callback: () => void): void {
    if (flushed >= written) process.nextTick(callback);
    else this.waiting.push({ until: written, callback });
  }

  /** `flushed` bytes have been handed on: calls back, in order, every waiter they satisfy. */
  settle(flushed: number): void {
    while (this.waiting.length !== 0 && this.waiting[0]!.until <= flushed) this.waiting.shift()!.callback();
  }

  /** The carrier closed: nobody is called back. */
  clear(): void {
    this.waiting.length = 0;
  }
}
