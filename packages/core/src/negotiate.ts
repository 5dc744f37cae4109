/**
 * Handshake negotiation shared by every transport: what the server answers
 * to an offer, and whether the client accepts the server's answer. Pure
 * functions over header values; the transports carry the headers.
 */
import { HandshakeError } from './errors.js';
import { parseExtensions, parseProtocols } from './header-values.js';

/**
 * Server: the subprotocol to answer with, or null for none. The client lists
 * its offers in order of preference (RFC 6455 §4.1), so the first offer that
 * the server supports wins.
 */
export function selectSubprotocol(offered: readonly string[], supported: readonly string[]): string | null {
  return offered.find((protocol) => supported.includes(protocol)) ?? null;
}

/**
 * Client: the subprotocol in the server's answer ('' for none). One that was
 * not offered fails the connection (§4.1, item 6 of the client's checks).
 */
export function checkSubprotocolAnswer(offered: readonly string[], answer: string | undefined): string {
  if (answer === undefined) return '';
  const answered = parseProtocols(answer);
  if (answered.length !== 1 || !offered.includes(answered[0]!)) {
    throw new HandshakeError('INVALID_SUBPROTOCOL', `the server chose subprotocol ${JSON.stringify(answer)}, which was not offered`);
  }
  return answered[0]!;
}

/**
 * Client: checks the extensions of the server's answer against the names
 * offered (§4.1, item 5), and returns them as given.
 */
export function checkExtensionsAnswer(offered: readonly string[], answer: string | undefined): string {
  if (answer === undefined) return '';
  for (const { name } of parseExtensions(answer)) {
    if (!offered.includes(name)) {
      throw new HandshakeError('INVALID_EXTENSION', `the server answered with extension ${name}, which was not offered`);
    }
  }
  return answer;
}
