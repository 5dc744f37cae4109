/**
 * Loads @matrixai/quic, whose QUIC (quiche + BoringSSL) is a prebuilt native
 * module per platform (`@matrixai/quic-<platform>-<arch>`, an optional
 * dependency). On a platform without one the import fails deep inside the
 * package with a list of paths; this module turns that into one clear error
 * at `import '@wstack/http3'`, while core, http1 and http2 keep working (none
 * of them imports this package).
 */
import type * as Quic from '@matrixai/quic';

/** The native QUIC module is missing or does not load on this platform. */
export class QuicUnavailableError extends Error {
  override readonly name = 'QuicUnavailableError';
  readonly code = 'QUIC_UNAVAILABLE';

  constructor(cause: unknown) {
    super(
      `@wstack/http3 needs the prebuilt QUIC module of @matrixai/quic for ${process.platform}-${process.arch} ` +
        `(package @matrixai/quic-${process.platform}-${process.arch}), and it did not load: ${(cause as Error)?.message ?? String(cause)}. ` +
        'HTTP/3 is not available here; HTTP/1.1 and HTTP/2 (@wstack/http1, @wstack/http2) do not need it.',
      { cause },
    );
  }
}

async function load(): Promise<typeof Quic> {
  try {
    return await import('@matrixai/quic');
  } catch (error) {
    throw new QuicUnavailableError(error);
  }
}

export const quic = await load();
