/**
 * A self-signed development certificate, made on the fly: ECDSA P-256 with
 * SHA-256, valid for the given names and addresses for a short while. The
 * X.509 structure (RFC 5280 §4.1) is written in DER by hand; node:crypto
 * makes the key and the signature.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

export interface DevCertOptions {
  /** DNS names and IP addresses the certificate is for. Default: localhost, 127.0.0.1, ::1. */
  names?: readonly string[];
  /** Days of validity from now. Default 14 (browsers take short-lived certificates best). */
  days?: number;
  /** Reuse a key (PEM or KeyObject) instead of making one. */
  key?: string | KeyObject;
}

export interface DevCert {
  cert: string;
  key: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo, for `--ignore-certificate-errors-spki-list` and pinning. */
  spkiSha256: string;
  /** Hex SHA-256 of the whole certificate (DER). */
  fingerprint256: string;
}

// DER (X.690): tag, length, contents.
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length = body.length;
  let head: number[];
  if (length < 0x80) head = [tag, length];
  else if (length < 0x100) head = [tag, 0x81, length];
  else head = [tag, 0x82, length >> 8, length & 0xff];
  return Buffer.concat([Buffer.from(head), body]);
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);
const set = (...parts: Buffer[]) => der(0x31, ...parts);
const explicit = (n: number, ...parts: Buffer[]) => der(0xa0 + n, ...parts);
const octets = (bytes: Buffer) => der(0x04, bytes);
const bits = (bytes: Buffer) => der(0x03, Buffer.from([0]), bytes);
const utf8 = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));

/** A non-negative INTEGER whose first byte is below 0x80 and, unless alone, not zero (minimal DER). */
const integer = (bytes: Buffer) => der(0x02, bytes);

/** 16 random bytes with the first in 0x40–0x7f: positive, and minimal without a padding byte. */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  return serial;
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const out = [first! * 40 + second!];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) groups.unshift((value & 0x7f) | 0x80);
    out.push(...groups);
  }
  return der(0x06, Buffer.from(out));
}

/** UTCTime for years before 2050, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** An IP address rather than a DNS name (IPv6 addresses hold colons, names never do). */
function isAddress(name: string): boolean {
  return IPV4.test(name) || name.includes(':');
}

function ipBytes(address: string): Buffer {
  if (IPV4.test(address)) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand '::' and write eight 16-bit groups.
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((group, i) => out.writeUInt16BE(parseInt(group, 16), i * 2));
  return out;
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));

export function createDevCert(options: DevCertOptions = {}): DevCert {
  const names = options.names ?? ['localhost', '127.0.0.1', '::1'];
  const privateKey =
    options.key === undefined
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      : typeof options.key === 'string'
        ? createPrivateKey(options.key)
        : options.key;
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const now = Date.now();
  const name = sequence(set(sequence(oid('2.5.4.3'), utf8('wstack development certificate'))));
  const altNames = names.map((n) => (isAddress(n) ? der(0x87, ipBytes(n)) : der(0x82, Buffer.from(n, 'ascii'))));
  const extensions = explicit(
    3,
    sequence(
      sequence(oid('2.5.29.19'), octets(sequence())), // basicConstraints: not a CA
      sequence(oid('2.5.29.15'), der(0x01, Buffer.from([0xff])), octets(der(0x03, Buffer.from([0x07, 0x80])))), // keyUsage: digitalSignature, critical
      sequence(oid('2.5.29.37'), octets(sequence(oid('1.3.6.1.5.5.7.3.1')))), // extKeyUsage: serverAuth
      sequence(oid('2.5.29.17'), octets(sequence(...altNames))), // subjectAltName
    ),
  );
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serialNumber()),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(new Date(now - 60 * 60 * 1000)), time(new Date(now + (options.days ?? 14) * 24 * 60 * 60 * 1000))),
    name,
    spki,
    extensions,
  );
  const certificate = sequence(tbs, ECDSA_WITH_SHA256, bits(sign('sha256', tbs, privateKey)));
  return {
    cert: pem('CERTIFICATE', certificate),
    key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    spkiSha256: sha256Base64(spki),
    fingerprint256: createHash('sha256').update(certificate).digest('hex'),
  };
}

function pem(label: string, bytes: Buffer): string {
  const lines = bytes.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The base64 SHA-256 of a certificate's SubjectPublicKeyInfo: what
 * Chromium's `--ignore-certificate-errors-spki-list` and certificate pins take.
 */
export function spkiSha256(certificate: string | Buffer | X509Certificate): string {
  const x509 = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  return sha256Base64(x509.publicKey.export({ type: 'spki', format: 'der' }));
}

function sha256Base64(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64');
}
