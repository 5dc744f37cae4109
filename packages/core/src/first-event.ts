/** Waiting for whichever of several events comes first. */
import type { EventEmitter } from 'node:events';

/** Resolves at the first of the events; the listeners for all of them are removed then, so nothing is left behind. */
export function firstEvent<T extends Record<keyof T, unknown[]>>(emitter: EventEmitter<T>, ...names: (keyof T & string)[]): Promise<void> {
  const target = emitter as unknown as EventEmitter;
  return new Promise((resolve) => {
    const done = () => {
      for (const name of names) target.off(name, done);
      resolve();
    };
    for (const name of names) target.on(name, done);
  });
}
