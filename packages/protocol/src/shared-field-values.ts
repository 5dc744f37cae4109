/**
 * One copy of each common header value, for all connections.
 *
 * A connection keeps its handshake's header fields for as long as it lives
 * (`connection.headers`), and every request brings its own copies of values
 * that are the same from one connection to the next: Host, Origin,
 * User-Agent, Upgrade, Connection, Sec-WebSocket-Version. Handing each
 * connection the first copy seen keeps one string per distinct value
 * instead of one per connection (about 115 B per idle connection with a
 * bare handshake, more with a browser's). Fields that differ on every
 * request (the key, cookies, credentials) stay out, so as not to crowd the
 * table; it holds at most MAX_VALUES values of at most MAX_LENGTH
 * characters and starts over when full, so no client can make it grow.
 */
const UNIQUE_PER_REQUEST = new Set(['sec-websocket-key', 'cookie', 'authorization']);
const MAX_VALUES = 1024;
const MAX_LENGTH = 512;
const values = new Map<string, string>();

/** `value`, or the equal string an earlier request brought (field names in lower case). */
export function sharedFieldValue(name: string, value: string): string {
  if (value.length > MAX_LENGTH || UNIQUE_PER_REQUEST.has(name)) return value;
  const shared = values.get(value);
  if (shared !== undefined) return shared;
  if (values.size === MAX_VALUES) values.clear();
  values.set(value, value);
  return value;
}

/** A field's value as one string: a repeated field's values joined with ', ' (RFC 9110 §5.3). */
export function singleFieldValue(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value.join(', ');
}

/**
 * The request's header fields as a connection keeps them: one string per
 * name, common values shared. `keep` leaves out the names it refuses
 * (HTTP/2's pseudo-header fields, say).
 */
export function sharedFields(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
  keep: (name: string) => boolean = () => true,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && keep(name)) fields[name] = sharedFieldValue(name, singleFieldValue(value)!);
  }
  return fields;
}

/** How many values the table holds (for tests: strings equal in value cannot be told apart in JavaScript). */
export function sharedFieldValueCount(): number {
  return values.size;
}

export const SHARED_FIELD_VALUES_MAX = MAX_VALUES;
