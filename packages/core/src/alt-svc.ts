/**
 * `Alt-Svc` (RFC 7838 §3) on the answers of a request listener: how a
 * server on TCP announces that HTTP/3 serves the same requests on UDP.
 */
import type { RequestListener } from 'node:http';

/** The listener, adding the field to every answer; the listener itself when there is nothing to announce. */
export function withAltSvc(listener: RequestListener, altSvc: string | undefined): RequestListener {
  if (altSvc === undefined) return listener;
  return (request, response) => {
    response.setHeader('alt-svc', altSvc);
    listener(request, response);
  };
}
