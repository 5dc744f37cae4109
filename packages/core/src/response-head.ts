/**
 * Reading back what node:http's ServerResponse writes (RFC 9112 §4, §5): a
 * status line and field lines, or a trailer section's field lines. HTTP/2
 * and HTTP/3 carry the same fields as header sections, minus the
 * connection-specific ones (RFC 9113 §8.2.2, RFC 9114 §4.2), which
 * node:http adds for HTTP/1.1 (`Connection`, `Transfer-Encoding`) and which
 * a frame-based transport must not send.
 */

export type FieldList = [name: string, value: string][];

export interface ResponseHead {
  status: number;
  fields: FieldList;
  /** The content follows in the chunked coding (RFC 9112 §7.1). */
  chunked: boolean;
}

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);

/** A head as ServerResponse writes it, without the empty line that ends it: "HTTP/1.1 200 OK\r\nName: value…". */
export function parseResponseHead(text: string): ResponseHead {
  const lineEnd = text.indexOf('\r\n');
  const statusLine = lineEnd === -1 ? text : text.slice(0, lineEnd);
  // "HTTP/1.1 " is 9 characters; the status code is always three digits (RFC 9110 §15).
  const status = Number(statusLine.slice(9, 12));
  if (lineEnd === -1) return { status, fields: [], chunked: false };
  const lines = text.slice(lineEnd + 2);
  // node:http writes exactly this line when it chooses the chunked coding; a final coding is the only one it applies.
  return { status, fields: parseFieldLines(lines), chunked: /(?:^|\r\n)transfer-encoding:[^\r]*\bchunked[ \t]*(?:\r\n|$)/i.test(lines) };
}

/**
 * "Name: value" lines joined by CRLF (a trailing CRLF allowed), names
 * lower-cased (RFC 9113 §8.2.1); connection-specific fields and the fields a
 * `Connection` field names (RFC 9110 §7.6.1) are left out.
 */
export function parseFieldLines(text: string): FieldList {
  const fields: FieldList = [];
  const nominated = new Set<string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'connection') for (const token of value.split(',')) nominated.add(token.trim().toLowerCase());
    if (!CONNECTION_SPECIFIC.has(name)) fields.push([name, value]);
  }
  return nominated.size === 0 ? fields : fields.filter(([name]) => !nominated.has(name));
}

/** The content length a head declares, when it is one valid number. */
export function declaredLength(fields: FieldList): number | undefined {
  let length: number | undefined;
  for (const [name, value] of fields) {
    if (name !== 'content-length') continue;
    if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) return undefined;
    length = Number(value);
  }
  return length;
}
