/**
 * The ids of the streams this side opens (RFC 9000 §2.1: bit 0 says who
 * opened a stream, 1 for the server; bit 1 that it is unidirectional;
 * each type counts up by 4) and the peer's limit on them (§4.6).
 */
import type { NativeConnection } from './binding.js';
import { StreamLimitError } from './errors.js';

export class OurStreamIds {
  private nextBidi: number;
  private nextUni: number;
  /** Streams opened this turn that quiche does not know yet (they count against the peer's limit all the same). */
  private unsentBidi = 0;
  private unsentUni = 0;

  constructor(isServer: boolean) {
    this.nextBidi = isServer ? 1 : 0;
    this.nextUni = isServer ? 3 : 2;
  }

  /** The id of a new stream; throws StreamLimitError when the peer allows no more. */
  next(kind: 'bidi' | 'uni', native: NativeConnection): number {
    const left = kind === 'bidi' ? native.peerStreamsLeftBidi() - this.unsentBidi : native.peerStreamsLeftUni() - this.unsentUni;
    if (left <= 0) throw new StreamLimitError(`the peer allows no more ${kind === 'bidi' ? 'bidirectional' : 'unidirectional'} streams now`);
    let id: number;
    if (kind === 'bidi') {
      id = this.nextBidi;
      this.nextBidi += 4;
      this.unsentBidi++;
    } else {
      id = this.nextUni;
      this.nextUni += 4;
      this.unsentUni++;
    }
    return id;
  }

  /** Each flush, once it pushed this turn's streams to quiche: streams opened from now on are the unsent ones. */
  flushed(): void {
    this.unsentBidi = 0;
    this.unsentUni = 0;
  }
}
