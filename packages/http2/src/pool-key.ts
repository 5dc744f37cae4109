/**
 * A stable text key for TLS options, so that connections with equal options
 * share a session and connections with different trust never do. Values are
 * compared by content: strings and bytes (certificates, keys) by their
 * SHA-256, plain objects and arrays member by member; anything else (a
 * SecureContext, a checkServerIdentity function) by identity.
 */
import { createHash } from 'node:crypto';

const identities = new WeakMap<object, number>();
let nextIdentity = 1;

export function optionsKey(value: unknown): string {
  return JSON.stringify(canonical(value)) ?? 'undefined';
}

function canonical(value: unknown): unknown {
  if (value === undefined || value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return value.length <= 64 ? value : `sha256:${digest(value)}`;
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (ArrayBuffer.isView(value)) return `bytes:${digest(Buffer.from(value.buffer, value.byteOffset, value.byteLength))}`;
  if (Array.isArray(value)) return value.map(canonical);
  const prototype = Object.getPrototypeOf(value);
  if (typeof value === 'object' && (prototype === Object.prototype || prototype === null)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries.map(([name, member]) => [name, canonical(member)]);
  }
  return `identity:${identity(value as object)}`;
}

function digest(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

function identity(value: object): number {
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return id;
}
