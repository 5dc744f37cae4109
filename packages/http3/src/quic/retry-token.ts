/**
 * Address validation with Retry (RFC 9000 §8.1.2): a server that has not
 * seen a client's address answers its first Initial with a Retry packet
 * carrying a token; the client repeats its Initial with the token, proving
 * it receives at that address. The token is ours alone to read, so it is
 * opaque: the time it was made, the client's original destination
 * connection id (quiche needs it for the transport parameters, RFC 9000
 * §7.3), the connection id the Retry gave the client, and an HMAC-SHA256
 * over those and the client's address under a key kept in memory.
 */
import { Buffer } from 'node:buffer';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 1;
const MAC_LENGTH = 32;
/** A Retry token is used within a round trip; a few seconds cover any path. */
export const RETRY_TOKEN_LIFETIME = 10_000;

export interface ValidatedToken {
  /** The destination connection id of the client's first Initial. */
  originalDcid: Buffer;
  /** The connection id the Retry told the client to use (now its destination id). */
  retryScid: Buffer;
}

export class RetryTokens {
  private readonly key = randomBytes(32);

  constructor(private readonly now: () => number = Date.now) {}

  mint(originalDcid: Uint8Array, retryScid: Uint8Array, address: string, port: number): Buffer {
    const body = Buffer.alloc(1 + 8 + 1 + originalDcid.length + 1 + retryScid.length);
    let at = body.writeUInt8(VERSION, 0);
    at = body.writeDoubleBE(this.now(), at);
    at = body.writeUInt8(originalDcid.length, at);
    at += Buffer.from(originalDcid).copy(body, at);
    at = body.writeUInt8(retryScid.length, at);
    Buffer.from(retryScid).copy(body, at);
    return Buffer.concat([body, this.mac(body, address, port)]);
  }

  /** The token's connection ids when it is ours, unexpired and made for this address; otherwise undefined. */
  validate(token: Uint8Array, address: string, port: number): ValidatedToken | undefined {
    if (token.length < 1 + 8 + 1 + 1 + MAC_LENGTH) return undefined;
    const bytes = Buffer.from(token.buffer, token.byteOffset, token.length);
    const body = bytes.subarray(0, bytes.length - MAC_LENGTH);
    const mac = bytes.subarray(bytes.length - MAC_LENGTH);
    if (!timingSafeEqual(mac, this.mac(body, address, port))) return undefined;
    if (body[0] !== VERSION) return undefined;
    const made = body.readDoubleBE(1);
    const age = this.now() - made;
    if (!(age >= 0 && age <= RETRY_TOKEN_LIFETIME)) return undefined;
    const dcidLength = body[9]!;
    const scidAt = 10 + dcidLength;
    if (scidAt >= body.length) return undefined;
    const scidLength = body[scidAt]!;
    if (scidAt + 1 + scidLength !== body.length) return undefined;
    return { originalDcid: Buffer.from(body.subarray(10, scidAt)), retryScid: Buffer.from(body.subarray(scidAt + 1)) };
  }

  private mac(body: Buffer, address: string, port: number): Buffer {
    return createHmac('sha256', this.key).update(body).update(`${address} ${port}`).digest();
  }
}
