/** One line for a failure the CLI cannot recover from: what went wrong and, where it helps, what to do. */
import { HandshakeError } from '@wstack/core';
import { ConnectError } from './auto-connect.js';

const isCertificateProblem = (code: unknown) => typeof code === 'string' && /CERT|SELF_SIGNED/.test(code);

export function explain(error: Error): string {
  if (error instanceof ConnectError) {
    // Transports the server does not speak aside, if what is left met an untrusted certificate, say so with the way out.
    const spoken = error.attempts.map((attempt) => attempt.error as NodeJS.ErrnoException).filter((cause) => !(cause instanceof HandshakeError && cause.code === 'NOT_SUPPORTED'));
    if (spoken.length !== 0 && spoken.every((cause) => isCertificateProblem(cause.code))) return certificateProblem(spoken[0]!.code!, spoken[0]!.message);
    return error.message;
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
