/** The PEM files the CLI's options name, read and checked before anything listens or connects. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { CliFailure } from './errors.js';

const READ_CAUSES: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a folder' };

function read(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CliFailure(`${flag} ${path}: cannot read the file: ${READ_CAUSES[code] ?? (error as Error).message} (${code})`);
  }
}

/** A file of one or more PEM certificates (--cert, --ca). */
export function readCertificates(path: string, flag: '--cert' | '--ca'): string {
  const text = read(path, flag);
  try {
    new X509Certificate(text);
  } catch {
    throw new CliFailure(`${flag} ${path}: not a PEM certificate (expected a "-----BEGIN CERTIFICATE-----" block)`);
  }
  return text;
}

/** --cert and --key: both readable, both PEM, and the key the certificate's. */
export function readKeyPair(certPath: string, keyPath: string): { cert: string; key: string } {
  const cert = readCertificates(certPath, '--cert');
  const key = read(keyPath, '--key');
  try {
    createPrivateKey(key);
  } catch {
    throw new CliFailure(`--key ${keyPath}: not a PEM private key (expected a "-----BEGIN PRIVATE KEY-----" block or similar)`);
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new CliFailure(`--cert ${certPath} and --key ${keyPath} do not belong together: the key is not the certificate's`);
  }
  return { cert, key };
}
