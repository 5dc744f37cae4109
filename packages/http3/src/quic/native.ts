/**
 * The one loader of quiche (QUIC and TLS 1.3 from Cloudflare, with
 * BoringSSL): the prebuilt N-API module of `@matrixai/quic`, published per
 * platform as `@matrixai/quic-<platform>-<arch>` (optional dependencies of
 * this package). Only the native binding is used, none of that project's
 * JavaScript. On a platform without a module, importing this file throws
 * QuicUnavailableError; core, http1 and http2 never import it.
 */
import { createRequire } from 'node:module';
import type { Quiche } from './binding.js';
import { QuicUnavailableError } from './errors.js';

/** The packages that carry the module for this platform, most specific first. */
export function nativePackages(platform: string = process.platform, arch: string = process.arch): string[] {
  if (platform === 'darwin') return [`@matrixai/quic-darwin-${arch}`, '@matrixai/quic-darwin-universal'];
  return [`@matrixai/quic-${platform}-${arch}`];
}

function load(): Quiche {
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const name of nativePackages()) {
    try {
      return require(name) as Quiche;
    } catch (error) {
      failures.push(`${name}: ${(error as Error)?.message?.split('\n')[0] ?? String(error)}`);
    }
  }
  throw new QuicUnavailableError(new Error(failures.join('; ')));
}

export const quiche: Quiche = load();
