/**
 * The WebIDL conversions of the WebSocket interface's arguments (WebSockets
 * Standard §3, WebIDL §3.2): what a browser does to a value before the
 * method's own steps run, so that code written for browsers gets the same
 * answers here (send(null) sends the text "null", close(NaN) is code 0).
 */
import { Blob } from 'node:buffer';
import { types } from 'node:util';
import { isToken } from '@wstack/protocol';

/** What send() sends: text, bytes, or a Blob to read first. */
export type SendData = string | ArrayBufferLike | ArrayBufferView | Blob;

/** WebIDL's TypeError for a call with fewer arguments than required. */
export function requireArguments(given: number, required: number, method: string): void {
  if (given < required) throw new TypeError(`${method}: ${required} argument${required === 1 ? '' : 's'} required, but only ${given} present`);
}

/**
 * `USVString` (WebIDL §3.2.11): ToString, then each lone surrogate becomes
 * U+FFFD. Symbols throw a TypeError, as ToString does.
 */
export function toUSVString(value: unknown): string {
  return toDOMString(value).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** ToString, which String() does too except that it turns a Symbol into its description. */
function toDOMString(value: unknown): string {
  if (typeof value === 'symbol') throw new TypeError('cannot convert a Symbol to a string');
  return String(value);
}

/**
 * `(DOMString or sequence<DOMString>) protocols = []` (WebIDL §3.2.23): an
 * iterable object is a sequence, anything else one string (null is "null").
 */
function toProtocolList(protocols: unknown): string[] {
  if (protocols === undefined) return [];
  if (typeof protocols === 'object' && protocols !== null && Symbol.iterator in protocols) {
    return Array.from(protocols as Iterable<unknown>, toDOMString);
  }
  return [toDOMString(protocols)];
}

/**
 * The constructor's subprotocol checks (WebSockets Standard §3.1 step 8):
 * each a token (RFC 6455 §4.1, RFC 9110 §5.6.2), none repeated; a repeat is
 * found without regard to ASCII case, as browsers find it
 * (Create-protocols-repeated-case-insensitive in web-platform-tests).
 * Throws a SyntaxError.
 */
export function toSubprotocols(protocols: unknown): string[] {
  const list = toProtocolList(protocols);
  const seen = new Set<string>();
  for (const protocol of list) {
    // A token is ASCII, so toLowerCase() is ASCII lowercase here.
    const folded = protocol.toLowerCase();
    if (!isToken(protocol) || seen.has(folded)) throw new DOMException(`invalid or repeated subprotocol ${JSON.stringify(protocol)}`, 'SyntaxError');
    seen.add(folded);
  }
  return list;
}

/**
 * send()'s overloads (WebSockets Standard §3.2): a Blob, an ArrayBuffer or
 * a view of one (BufferSource, not shared: WebIDL refuses a
 * SharedArrayBuffer without [AllowShared]), and any other value as a
 * USVString. Checks by brand, not instanceof, so that buffers made in
 * another realm (a vm context, a worker's transfer) are bytes too.
 */
export function toSendData(data: unknown): SendData {
  if (data instanceof Blob) return data;
  if (ArrayBuffer.isView(data)) {
    if (types.isSharedArrayBuffer(data.buffer)) throw new TypeError('send: a view of a SharedArrayBuffer cannot be sent');
    return data;
  }
  if (types.isArrayBuffer(data)) return data;
  if (types.isSharedArrayBuffer(data)) throw new TypeError('send: a SharedArrayBuffer cannot be sent');
  return toUSVString(data);
}

/** The bytes `data` makes on the wire before framing: UTF-8 for text (WebSockets Standard §3.2, bufferedAmount). */
export function byteLengthOf(data: SendData): number {
  if (typeof data === 'string') return Buffer.byteLength(data);
  if (data instanceof Blob) return data.size;
  return data.byteLength;
}

/**
 * `[Clamp] unsigned short` (WebIDL §3.2.4.5): ToNumber, NaN is 0, clamped
 * to 0–65535, rounded to the nearest integer with ties to even.
 */
export function toClampedUnsignedShort(value: unknown): number {
  // Unary plus is ToNumber: a Symbol or a BigInt throws a TypeError (Number() would take a BigInt).
  const number = +(value as number);
  if (Number.isNaN(number)) return 0;
  const x = Math.min(Math.max(number, 0), 0xffff);
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
