/** One line for a failure the CLI cannot recover from: what went wrong and, where it helps, what to do. */
import { HandshakeError } from '@wstack/protocol';
import { ConnectError } from '../auto-connect.js';

const isCertificateProblem = (code: unknown) => typeof code === 'string' && /CERT|SELF_SIGNED/.test(code);

export function explain(error: Error): string {
  if (error instanceof ConnectError) {
    // A transport that met an untrusted certificate is the likely cause: say so with the way out, then every attempt.
    const untrusted = error.attempts.map((attempt) => attempt.error as NodeJS.ErrnoException).find((cause) => isCertificateProblem(cause.code));
    return untrusted === undefined ? error.message : `${certificateProblem(untrusted.code!, untrusted.message)}\n${error.message}`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof HandshakeError) return `handshake failed (${error.code}): ${error.message}`;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EADDRINUSE') return `${code}: ${error.message}`;
  if (isCertificateProblem(code)) return certificateProblem(code!, error.message);
  return error.stack ?? String(error);
}

function certificateProblem(code: string, message: string): string {
  return `certificate problem (${code}): ${message}; use --ca FILE or --insecure`;
}
