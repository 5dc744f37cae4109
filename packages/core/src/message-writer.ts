/**
 * A message sent in fragments (RFC 6455 §5.4): the first frame carries the
 * opcode, the rest are continuations, the last has FIN set.
 */
import { UsageError } from '@wstack/protocol';

export type FragmentData = string | Uint8Array;

/** Sends one frame of the message; returns false under backpressure. */
export type SendFragment = (data: FragmentData, binary: boolean, first: boolean, fin: boolean) => boolean;

export class MessageWriter {
  private first = true;
  private done = false;

  constructor(
    readonly binary: boolean,
    private readonly sendFragment: SendFragment,
  ) {}

  /** Sends the next fragment; false when the send buffer is full (wait for 'drain'). */
  write(data: FragmentData): boolean {
    return this.send(data, false);
  }

  /** Sends the last fragment (empty if no data is given) and ends the message. */
  end(data: FragmentData = ''): boolean {
    return this.send(data, true);
  }

  private send(data: FragmentData, fin: boolean): boolean {
    if (this.done) throw new UsageError('INVALID_STATE', 'the fragmented message has ended');
    const result = this.sendFragment(data, this.binary, this.first, fin);
    this.first = false;
    this.done = fin;
    return result;
  }
}
