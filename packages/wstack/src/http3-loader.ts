/**
 * @wstack/http3 is loaded only when HTTP/3 is used: its QUIC library is a
 * native module that some platforms lack, and `import 'wstack'` must work
 * there for HTTP/1.1 and HTTP/2.
 */
export type Http3Module = typeof import('@wstack/http3');

let loading: Promise<Http3Module> | undefined;

/** The http3 package, or a QuicUnavailableError that says why it cannot load here. */
export function loadHttp3(): Promise<Http3Module> {
  loading ??= import('@wstack/http3');
  return loading;
}
