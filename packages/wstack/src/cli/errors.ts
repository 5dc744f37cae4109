/**
 * A failure the CLI cannot recover from, in one or two lines: what went
 * wrong, naming the port, file or URL, and what to do about it. Stack traces
 * only with --debug.
 */
import { HandshakeError, UrlError } from '@wstack/protocol';
import { ConnectError } from '../auto-connect.js';

/** A failure already put in words for the person at the terminal; exit code 1. */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';
}

type Failure = Error & { code?: unknown; syscall?: unknown; address?: unknown; port?: unknown; host?: unknown };

const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export const isCertificateProblem = (error: Failure) => typeof error.code === 'string' && CERTIFICATE_CODE.test(error.code);

/** A TLS client that met a server without TLS (OpenSSL reads the plain answer as a record of an unknown version). */
export const isNotTls = (error: Failure) => error.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(error.message);

const hostPort = (host: string, port: number | string) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

const LISTEN_CAUSES: Record<string, [string, string]> = {
  EADDRINUSE: ['the port is in use', 'Stop what uses it, or choose another port with --port.'],
  EACCES: ['permission denied', 'Ports below 1024 need privileges: choose another port with --port.'],
  EADDRNOTAVAIL: ['the address is not one of this machine\'s', 'Choose one of its addresses with --host.'],
};

/** The failure in one or two lines. */
export function explain(error: unknown): string {
  if (!(error instanceof Error)) return `failed: ${String(error)}`;
  const failure = error as Failure;
  if (error instanceof CliFailure) return error.message;
  if (error instanceof UrlError) return error.message;
  if (failure.syscall === 'listen' || error.name === 'ListenError') return cannotListen(failure);
  if (isConnectFailure(failure)) return connectFailure(failure);
  return `${error.name}: ${firstLine(error.message)}\n(run with --debug for the stack trace)`;
}

function cannotListen(error: Failure): string {
  // node:net's errors carry address and port; @wstack/http3's ListenError host and port.
  const where = `${error.name === 'ListenError' ? 'UDP (HTTP/3)' : 'TCP'} ${hostPort(String(error.address ?? error.host), Number(error.port))}`;
  const [what, fix] = LISTEN_CAUSES[String(error.code)] ?? [String(error.code), ''];
  const also = error.name === 'ListenError' && error.code === 'EADDRINUSE' ? ' Or leave HTTP/3 out with --no-h3.' : '';
  return `cannot listen on ${where}: ${what} (${String(error.code)})${fix || also ? `\n${fix}${also}` : ''}`;
}

const isConnectFailure = (error: Failure) =>
  error instanceof ConnectError || error instanceof HandshakeError || error.syscall === 'connect' || error.name === 'DialError' || isCertificateProblem(error) || isNotTls(error);

/** The errors of a connection attempt: one per transport tried. */
export const attemptsOf = (error: unknown): [string | undefined, Failure][] =>
  error instanceof ConnectError ? error.attempts.map(({ transport, error }) => [transport, error as Failure]) : [[undefined, error as Failure]];

/** Why no transport reached the server (of `url`, when known): the one cause that has a fix first, otherwise every attempt. */
export function connectFailure(error: unknown, url?: URL): string {
  const attempts = attemptsOf(error);
  const errors = attempts.map(([, error]) => error);
  const where = url ? `${url.href}: ` : '';
  // node:tls says more precisely why than the QUIC client's own check.
  const untrusted = errors.filter(isCertificateProblem).sort((a, b) => Number(a.name === 'DialError') - Number(b.name === 'DialError'))[0];
  if (untrusted) {
    // Node 24 adds its own advice after a ';' (--use-system-ca); the fix line below is this command's.
    const why = firstLine(untrusted.message).replace(/^the certificate of \S+ is not trusted: /, '').split(';')[0];
    return `${where}the server's certificate is not trusted: ${why} (${String(untrusted.code)})\nPass --ca FILE to trust the CA that signed it, or --insecure to skip the check.`;
  }
  if (errors.some(isNotTls)) {
    const plain = url ? new URL(url.href.replace(/^wss:/, 'ws:')).href : 'a ws:// URL';
    return `${where}the server does not speak TLS on this port\nFor a server without TLS, use ${plain}`;
  }
  const refusal = errors.find((error): error is HandshakeError => error instanceof HandshakeError && error.code !== 'TIMEOUT' && error.code !== 'NOT_SUPPORTED');
  if (refusal) return `${where}the server refused the WebSocket handshake (${refusal.code}): ${firstLine(refusal.message)}`;
  const each = attempts.map(([transport, error]) => `${transport ? `${transport}: ` : ''}${attemptText(error)}`);
  return `${url ? `cannot connect to ${url.href}` : 'cannot connect'}: ${each.join('; ')}`;
}

function attemptText(error: Failure): string {
  const timedOut = error.code === 'TIMEOUT' || error.code === 'QUIC_TIMEOUT';
  return `${timedOut ? 'timed out: ' : ''}${firstLine(error.message)}`;
}

/** OpenSSL's messages run over lines and start with its own location. */
function firstLine(message: string): string {
  return message.replace(/[0-9A-F]{8,}:error:[0-9A-F]+:[^:]*:[^:]*:/g, '').split('\n')[0]!.replace(/:\.\.\/deps\S*$/, '').trim();
}
