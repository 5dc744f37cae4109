/**
 * Checks that a decoded header or trailer section forms a well-formed HTTP/3
 * request or response (RFC 9114 §4.2, §4.3; extended CONNECT: RFC 8441 §4 as
 * applied to HTTP/3 by RFC 9220 §3). A failure is a malformed message, which
 * RFC 9114 §4.1.2 makes a stream error of type H3_MESSAGE_ERROR.
 */
import { Http3Error } from './errors.js';
import type { Field } from './qpack.js';

/** A request's control data and its regular fields. */
export interface RequestHead {
  method: string;
  scheme?: string;
  authority?: string;
  path?: string;
  /** Extended CONNECT (RFC 8441 §4): e.g. 'websocket' (RFC 9220). */
  protocol?: string;
  /** The regular fields, in order, without the pseudo-header fields. */
  fields: Field[];
}

/** A response's status and its regular fields. */
export interface ResponseHead {
  status: number;
  fields: Field[];
}

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string; error: Http3Error };

/** RFC 9114 §4.2: fields that only make sense on one HTTP/1.x connection; any of them makes a message malformed. */
export const CONNECTION_SPECIFIC: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

const REQUEST_PSEUDO = new Set([':method', ':scheme', ':authority', ':path', ':protocol']);
const RESPONSE_PSEUDO = new Set([':status']);

/** RFC 9110 §5.1, §5.6.2: a field name is a token; HTTP/3 also forbids uppercase (RFC 9114 §4.2). */
const LOWERCASE_TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** RFC 9110 §9.1: a method is a token (case-sensitive). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 9110 §5.5: NUL, CR and LF are never valid in a field value. */
const INVALID_VALUE = /[\0\r\n]/;

type Section = 'request' | 'response' | 'trailers';

interface Split {
  pseudo: Map<string, string>;
  fields: Field[];
}

/**
 * Splits a section into pseudo-header fields and regular fields, checking
 * what every section shares: names, values, connection-specific fields, and
 * that pseudo-header fields are known, unique and first (RFC 9114 §4.3).
 */
function split(lines: readonly Field[], section: Section): Split | string {
  const allowedPseudo = section === 'request' ? REQUEST_PSEUDO : section === 'response' ? RESPONSE_PSEUDO : undefined;
  const pseudo = new Map<string, string>();
  const fields: Field[] = [];
  for (const [name, value] of lines) {
    if (INVALID_VALUE.test(value)) return `field ${name} has NUL, CR or LF in its value`;
    if (name.startsWith(':')) {
      if (allowedPseudo === undefined) return `pseudo-header field ${name} in trailers`;
      if (!allowedPseudo.has(name)) return `pseudo-header field ${name} is not defined for a ${section}`;
      if (fields.length > 0) return `pseudo-header field ${name} after a regular field`;
      if (pseudo.has(name)) return `duplicate pseudo-header field ${name}`;
      pseudo.set(name, value);
      continue;
    }
    if (!LOWERCASE_TOKEN.test(name)) return `invalid field name ${JSON.stringify(name)} (uppercase or not a token)`;
    if (CONNECTION_SPECIFIC.has(name)) return `connection-specific field ${name}`;
    // The one exception (§4.2): TE in a request header, with only "trailers".
    if (name === 'te' && (section !== 'request' || value !== 'trailers')) return `te field outside a request header section or with a value other than "trailers"`;
    fields.push([name, value]);
  }
  return { pseudo, fields };
}

function fail<T>(reason: string): Validation<T> {
  return { ok: false, reason, error: new Http3Error('H3_MESSAGE_ERROR', `malformed message: ${reason}`) };
}

/** Validates a request header section (RFC 9114 §4.3.1, §4.4; RFC 8441 §4; RFC 9220 §3). */
export function validateRequestHeaders(lines: readonly Field[]): Validation<RequestHead> {
  const parts = split(lines, 'request');
  if (typeof parts === 'string') return fail(parts);
  const { pseudo, fields } = parts;
  const method = pseudo.get(':method');
  const scheme = pseudo.get(':scheme');
  const authority = pseudo.get(':authority');
  const path = pseudo.get(':path');
  const protocol = pseudo.get(':protocol');
  if (method === undefined) return fail('missing :method');
  if (!TOKEN.test(method)) return fail('invalid :method');

  if (protocol !== undefined) {
    // RFC 8441 §4: :protocol only on CONNECT, which then carries :scheme and :path too.
    if (method !== 'CONNECT') return fail(':protocol in a request that is not CONNECT');
    if (protocol === '') return fail('empty :protocol');
    if (scheme === undefined || path === undefined || authority === undefined) {
      return fail('extended CONNECT without :scheme, :path and :authority');
    }
  } else if (method === 'CONNECT') {
    // RFC 9114 §4.4: CONNECT has only :method and :authority.
    if (scheme !== undefined || path !== undefined) return fail('CONNECT with :scheme or :path');
    if (authority === undefined || authority === '') return fail('CONNECT without :authority');
    return { ok: true, value: { method, authority, fields } };
  } else if (scheme === undefined || path === undefined) {
    return fail('missing :scheme or :path');
  }

  if (scheme === 'http' || scheme === 'https') {
    // §4.3.1: these schemes have a mandatory authority and a non-empty path.
    if (path !== '*' ? !path!.startsWith('/') : method !== 'OPTIONS') return fail(`invalid :path for ${scheme}`);
    const hosts = fields.filter(([name]) => name === 'host');
    if (hosts.length > 1) return fail('more than one host field');
    const host = hosts[0]?.[1];
    if (authority === undefined && host === undefined) return fail('neither :authority nor host');
    if (authority === '' || host === '') return fail('empty :authority or host');
    if (authority !== undefined && host !== undefined && authority !== host) return fail(':authority and host differ');
  } else if (scheme === '') {
    return fail('empty :scheme');
  }

  const head: RequestHead = { method, scheme: scheme!, path: path!, fields };
  if (authority !== undefined) head.authority = authority;
  if (protocol !== undefined) head.protocol = protocol;
  return { ok: true, value: head };
}

/**
 * Validates a response header section (RFC 9114 §4.3.2): exactly one
 * :status of three digits. 101 is refused: HTTP/3 has no Upgrade (§4.5).
 */
export function validateResponseHeaders(lines: readonly Field[]): Validation<ResponseHead> {
  const parts = split(lines, 'response');
  if (typeof parts === 'string') return fail(parts);
  const status = parts.pseudo.get(':status');
  if (status === undefined) return fail('missing :status');
  if (!/^[1-9][0-9]{2}$/.test(status)) return fail(`invalid :status ${JSON.stringify(status)}`);
  if (status === '101') return fail('101 (Switching Protocols) is not used in HTTP/3 (RFC 9114 §4.5)');
  return { ok: true, value: { status: Number(status), fields: parts.fields } };
}

/** Validates a trailer section: no pseudo-header fields (RFC 9114 §4.3), valid regular fields. */
export function validateTrailers(lines: readonly Field[]): Validation<Field[]> {
  const parts = split(lines, 'trailers');
  if (typeof parts === 'string') return fail(parts);
  return { ok: true, value: parts.fields };
}

/**
 * The declared content length of a message, if it has one (RFC 9110 §8.6):
 * undefined when absent, a number when every content-length line holds the
 * same digits, and a reason string when the field is invalid.
 */
export function contentLengthOf(fields: readonly Field[]): number | undefined | string {
  let found: string | undefined;
  for (const [name, value] of fields) {
    if (name !== 'content-length') continue;
    if (!/^[0-9]{1,15}$/.test(value)) return `invalid content-length ${JSON.stringify(value)}`;
    if (found !== undefined && found !== value) return 'content-length values differ';
    found = value;
  }
  return found === undefined ? undefined : Number(found);
}
