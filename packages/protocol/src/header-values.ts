/**
 * The value grammars of `Sec-WebSocket-Protocol` and
 * `Sec-WebSocket-Extensions` (RFC 6455 §4.3, §9.1), over the token,
 * quoted-string and list rules of RFC 9110 §5.6. One left-to-right scan, each
 * character looked at once: no regular expression that could backtrack on a
 * hostile value.
 */
import { HandshakeError } from './errors.js';

/** tchar of RFC 9110 §5.6.2, as a table over ASCII. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1;

const SP = 0x20;
const HTAB = 0x09;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || TCHAR[c] === 0) return false;
  }
  return true;
}

/** A cursor over one header value. */
class Scanner {
  at = 0;

  constructor(
    readonly text: string,
    readonly header: string,
  ) {}

  get done(): boolean {
    return this.at >= this.text.length;
  }

  peek(): number {
    return this.text.charCodeAt(this.at);
  }

  /** Optional whitespace (OWS). */
  skipSpace(): void {
    while (this.peek() === SP || this.peek() === HTAB) this.at++;
  }

  /** Consumes `c` (after optional whitespace) if it is next. */
  eat(c: number): boolean {
    this.skipSpace();
    if (this.peek() !== c) return false;
    this.at++;
    return true;
  }

  token(): string {
    this.skipSpace();
    const start = this.at;
    while (!this.done && this.peek() < 128 && TCHAR[this.peek()] === 1) this.at++;
    if (this.at === start) this.fail('a token');
    return this.text.slice(start, this.at);
  }

  /** quoted-string (RFC 9110 §5.6.4), unescaped. */
  quoted(): string {
    this.at++; // the opening DQUOTE
    let value = '';
    let start = this.at;
    for (;;) {
      if (this.done) this.fail('a closing quote');
      const c = this.peek();
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        value += this.text.slice(start, this.at);
        this.at++;
        if (this.done || !isQuotable(this.peek())) this.fail('a quotable character after \\');
        start = this.at;
      } else if (!isQuotable(c)) {
        this.fail('a quoted-string character');
      }
      this.at++;
    }
    value += this.text.slice(start, this.at);
    this.at++;
    return value;
  }

  /** Skips empty list elements; false at the end of the value (RFC 9110 §5.6.1). */
  nextElement(): boolean {
    for (;;) {
      this.skipSpace();
      if (this.done) return false;
      if (this.peek() !== COMMA) return true;
      this.at++;
    }
  }

  /** After an element: a comma, or the end. */
  endElement(): void {
    this.skipSpace();
    if (!this.done && !this.eat(COMMA)) this.fail('"," or the end of the value');
  }

  fail(expected: string): never {
    throw new HandshakeError('INVALID_HEADER', `invalid ${this.header}: expected ${expected} at offset ${this.at}`);
  }
}

/** HTAB, SP, VCHAR and obs-text may stand in a quoted-string (DQUOTE and \ only escaped). */
function isQuotable(c: number): boolean {
  return c === HTAB || (c >= SP && c !== 0x7f && c <= 0xff);
}

/**
 * `Sec-WebSocket-Protocol` (§4.1): a non-empty list of unique tokens. Several
 * header lines are joined with ", " before this is called.
 */
export function parseProtocols(value: string): string[] {
  const scanner = new Scanner(value, 'Sec-WebSocket-Protocol');
  const protocols = new Set<string>();
  while (scanner.nextElement()) {
    const protocol = scanner.token();
    if (protocols.has(protocol)) {
      throw new HandshakeError('INVALID_HEADER', `invalid Sec-WebSocket-Protocol: ${protocol} offered twice`);
    }
    protocols.add(protocol);
    scanner.endElement();
  }
  if (protocols.size === 0) scanner.fail('a subprotocol');
  return [...protocols];
}

/** An extension parameter's value; `true` for a parameter without one. */
export type ExtensionParamValue = string | true;

export interface ExtensionOffer {
  name: string;
  /** In the order given; a name may repeat (the extension decides what that means). */
  params: [string, ExtensionParamValue][];
}

/** More extension offers than any client makes (browsers make one); beyond it a request is refused. */
export const MAX_EXTENSION_OFFERS = 16;

/**
 * The subprotocols and extension offers of a request, as a server reads
 * them. A field that does not follow its grammar (RFC 6455 §4.1, §9.1), or
 * more than MAX_EXTENSION_OFFERS offers, makes the handshake invalid: a
 * HandshakeError with status 400 (§4.2.1).
 */
export function readClientOffers(protocols: string | undefined, extensions: string | undefined): { protocols: string[]; extensions: ExtensionOffer[] } {
  const offers = extensions === undefined ? [] : parseExtensions(extensions);
  if (offers.length > MAX_EXTENSION_OFFERS) throw new HandshakeError('INVALID_EXTENSION', `${offers.length} extension offers, more than ${MAX_EXTENSION_OFFERS}`);
  return { protocols: protocols === undefined ? [] : parseProtocols(protocols), extensions: offers };
}

/**
 * `Sec-WebSocket-Extensions` (§9.1): extensions with parameters, in order.
 * A quoted parameter value must be a token once unquoted (§9.1).
 */
export function parseExtensions(value: string): ExtensionOffer[] {
  const scanner = new Scanner(value, 'Sec-WebSocket-Extensions');
  const extensions: ExtensionOffer[] = [];
  while (scanner.nextElement()) {
    const extension: ExtensionOffer = { name: scanner.token(), params: [] };
    while (scanner.eat(SEMICOLON)) {
      const name = scanner.token();
      let paramValue: ExtensionParamValue = true;
      if (scanner.eat(EQUALS)) {
        scanner.skipSpace();
        const start = scanner.at;
        paramValue = scanner.peek() === DQUOTE ? scanner.quoted() : scanner.token();
        if (!isToken(paramValue)) {
          scanner.at = start;
          scanner.fail('a token inside the quotes');
        }
      }
      extension.params.push([name, paramValue]);
    }
    extensions.push(extension);
    scanner.endElement();
  }
  if (extensions.length === 0) scanner.fail('an extension');
  return extensions;
}

/** Formats extensions for a `Sec-WebSocket-Extensions` header. */
export function formatExtensions(extensions: readonly ExtensionOffer[]): string {
  return extensions
    .map(({ name, params }) => [name, ...params.map(([key, value]) => (value === true ? key : `${key}=${value}`))].join('; '))
    .join(', ');
}
