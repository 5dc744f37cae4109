/**
 * A published message as the fields of a stream entry, and back: `d` the
 * payload; `b` present for binary, `z` for "not compressed", `m` the mark of
 * a publish made with `except` (RelayedMessage).
 */
import type { RelayedMessage } from '@wstack/core';

export function entryFields(message: RelayedMessage): (string | Buffer)[] {
  const data = typeof message.data === 'string' ? message.data : Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
  const fields: (string | Buffer)[] = ['d', data];
  if (message.binary) fields.push('b', '1');
  if (!message.compress) fields.push('z', '1');
  if (message.mark !== undefined) fields.push('m', message.mark);
  return fields;
}

/** The message of an entry's fields (a flat list of names and values, as Redis answers them), or undefined when it has no payload. */
export function messageOf(topic: string, fields: readonly Buffer[]): RelayedMessage | undefined {
  let data: Buffer | undefined;
  let binary = false;
  let compress = true;
  let mark: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1');
    const value = fields[i + 1]!;
    if (name === 'd') data = value;
    else if (name === 'b') binary = true;
    else if (name === 'z') compress = false;
    else if (name === 'm') mark = value.toString('latin1');
  }
  if (data === undefined) return undefined;
  return { topic, data, binary, compress, ...(mark === undefined ? {} : { mark }) };
}
