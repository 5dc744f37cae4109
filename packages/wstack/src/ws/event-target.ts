/**
 * The browser-like side of ws's WebSocket: `addEventListener` and the
 * `on<event>` properties, with event objects shaped as ws shapes them
 * (type and target; data; code, reason and wasClean; error and message),
 * on top of the EventEmitter events.
 */
import type { EventEmitter } from 'node:events';

export type WsEventType = 'open' | 'message' | 'error' | 'close';
export interface ListenerOptions {
  once?: boolean;
}
type Listener = (event: object) => void;

/** The emitter listener made for each event listener of each target, to remove it again. */
const wrapped = new WeakMap<EventEmitter, WeakMap<Listener, Map<string, (...args: unknown[]) => void>>>();

function wrappersOf(target: EventEmitter, listener: Listener): Map<string, (...args: unknown[]) => void> {
  const byListener = wrapped.get(target) ?? new WeakMap();
  wrapped.set(target, byListener);
  const byType = byListener.get(listener) ?? new Map();
  byListener.set(listener, byType);
  return byType;
}
/** The `on<event>` handler set on each emitter, by type. */
const handlers = new WeakMap<EventEmitter, Map<string, Listener>>();

function eventOf(type: WsEventType, target: EventEmitter, args: unknown[]): object {
  switch (type) {
    case 'message':
      return { type, target, data: args[0] };
    case 'close': {
      const code = args[0] as number;
      return { type, target, code, reason: String(args[1] ?? ''), wasClean: code !== 1006 };
    }
    case 'error': {
      const error = args[0] as Error;
      return { type, target, error, message: error.message };
    }
    default:
      return { type, target };
  }
}

export function addEventListener(target: EventEmitter, type: WsEventType, listener: Listener, options: ListenerOptions = {}): void {
  if (typeof listener !== 'function') return;
  const byType = wrappersOf(target, listener);
  // The same listener added twice is one listener (DOM rule).
  if (byType.has(type)) return;
  const onEvent = (...args: unknown[]) => {
    if (options.once) removeEventListener(target, type, listener);
    listener.call(target, eventOf(type, target, args));
  };
  byType.set(type, onEvent);
  target.on(type, onEvent);
}

export function removeEventListener(target: EventEmitter, type: WsEventType, listener: Listener): void {
  const byType = wrappersOf(target, listener);
  const onEvent = byType.get(type);
  if (onEvent === undefined) return;
  byType.delete(type);
  target.off(type, onEvent);
}

export function eventHandler(target: EventEmitter, type: WsEventType): Listener | null {
  return handlers.get(target)?.get(type) ?? null;
}

export function setEventHandler(target: EventEmitter, type: WsEventType, handler: Listener | null): void {
  const own = handlers.get(target) ?? new Map<string, Listener>();
  handlers.set(target, own);
  const previous = own.get(type);
  if (previous !== undefined) removeEventListener(target, type, previous);
  own.delete(type);
  if (typeof handler !== 'function') return;
  own.set(type, handler);
  addEventListener(target, type, handler);
}
