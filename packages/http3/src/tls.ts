/**
 * Certificates and keys as files or PEM text, and the hashes that name a
 * certificate: the SHA-256 of its SubjectPublicKeyInfo in base64 (what
 * Chromium's `--ignore-certificate-errors-spki-list` and HPKP-style pins
 * take) and the SHA-256 of the whole certificate in hex.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';

/** PEM text, its bytes, or the path of a PEM file. */
export type PemSource = string | Uint8Array;

/** PEM text from PEM text, PEM bytes or a file path. */
export function readPem(source: PemSource): string {
  if (typeof source !== 'string') return Buffer.from(source).toString('utf8');
  if (source.includes('-----BEGIN ')) return source;
  return readFileSync(source, 'utf8');
}

/** Base64 SHA-256 of a certificate's SubjectPublicKeyInfo (DER); the certificate as PEM, DER, or a PEM file path. */
export function spkiSha256(certificate: PemSource | X509Certificate): string {
  return createHash('sha256').update(toX509(certificate).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

/** Hex SHA-256 of a certificate (DER), lowercase, no colons. */
export function certificateSha256(certificate: PemSource | X509Certificate): string {
  return createHash('sha256').update(toX509(certificate).raw).digest('hex');
}

function toX509(certificate: PemSource | X509Certificate): X509Certificate {
  if (certificate instanceof X509Certificate) return certificate;
  if (typeof certificate !== 'string' && !looksLikePem(certificate)) return new X509Certificate(Buffer.from(certificate));
  return new X509Certificate(readPem(certificate));
}

function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, 64)).toString('latin1').includes('-----BEGIN ');
}

/**
 * Whether a leaf certificate (DER) matches one of the pins: a hex SHA-256 of
 * the certificate (colons and case ignored) or a base64 SHA-256 of its SPKI.
 */
export function matchesPin(leaf: Uint8Array, pins: readonly string[]): boolean {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(Buffer.from(leaf));
  } catch {
    return false;
  }
  const hex = certificateSha256(x509);
  const spki = spkiSha256(x509);
  return pins.some((pin) => pin.replace(/:/g, '').toLowerCase() === hex || pin === spki);
}

/**
 * Verifies a server's chain (DER, leaf first) against trusted certificates
 * the way node:tls does with its `ca` option, including a self-signed leaf
 * given as its own CA (BoringSSL in the QUIC library refuses a trust anchor
 * without CA:TRUE, README quirk R): each certificate is issued and signed by
 * the next or by a trusted one, every one is within its validity, and the
 * leaf names `serverName` (RFC 6125 via X509Certificate.checkHost/checkIP).
 * Returns why not, or undefined.
 */
export function verifyChain(chain: readonly Uint8Array[], anchors: readonly X509Certificate[], serverName: string, now = new Date()): string | undefined {
  let certs: X509Certificate[];
  try {
    certs = chain.map((der) => new X509Certificate(Buffer.from(der)));
  } catch {
    return 'unreadable certificate';
  }
  const leaf = certs[0];
  if (leaf === undefined) return 'no certificate';
  for (const cert of certs) {
    if (new Date(cert.validFrom) > now || new Date(cert.validTo) < now) return `certificate ${cert.subject} is not valid now`;
  }
  const named = isIP(serverName) ? leaf.checkIP(serverName) !== undefined : leaf.checkHost(serverName) !== undefined;
  if (!named) return `the certificate is not for ${serverName}`;
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i]!;
    const anchor = anchors.find((ca) => ca.raw.equals(cert.raw) || (cert.checkIssued(ca) && cert.verify(ca.publicKey)));
    if (anchor) return undefined;
    const next = certs[i + 1];
    if (!next || !cert.checkIssued(next) || !cert.verify(next.publicKey) || !next.ca) break;
  }
  return 'the certificate chain does not lead to a trusted certificate';
}

/** The certificates of PEM texts, as trust anchors for verifyChain. */
export function trustAnchors(pems: readonly string[]): X509Certificate[] {
  return pems.flatMap(splitPem).map((pem) => new X509Certificate(pem));
}

let defaults: X509Certificate[] | undefined;

/**
 * What node:tls trusts by default: Node's bundled root certificates and
 * those of the file named by NODE_EXTRA_CA_CERTS. Parsed once, on first use.
 */
export function defaultTrustAnchors(): X509Certificate[] {
  if (defaults) return defaults;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPem: string[] = [];
  try {
    if (extra) extraPem = [readFileSync(extra, 'utf8')];
  } catch {
    // node:tls warns about an unreadable file and goes on without it; so do we.
  }
  defaults = trustAnchors([...rootCertificates, ...extraPem]);
  return defaults;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
