/**
 * Handshake negotiation shared by every transport: what the server answers
 * to an offer, and whether the client accepts the server's answer. Pure
 * functions over header values; the transports carry the headers.
 */
import type { CompressionOptions } from './deflate-rules.js';
import {
  acceptDeflateAnswer,
  acceptDeflateOffer,
  checkDeflateNegotiation,
  deflateOffer,
  type DeflateNegotiation,
  type DeflateParams,
} from './deflate-negotiation.js';
import { HandshakeError } from './errors.js';
import { parseExtensions, parseProtocols, type ExtensionOffer } from './header-values.js';

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

/** permessage-deflate settings of an endpoint: what to negotiate, and how to compress. */
export interface PerMessageDeflateOptions extends DeflateNegotiation, CompressionOptions {}

/** `true` means the defaults; false or undefined, no compression. */
export type PerMessageDeflateSetting = boolean | PerMessageDeflateOptions | undefined;

function deflateSettings(setting: PerMessageDeflateSetting): PerMessageDeflateOptions | undefined {
  if (setting === undefined || setting === false) return undefined;
  const options = setting === true ? {} : setting;
  checkDeflateNegotiation(options);
  return options;
}

/** Client: the `Sec-WebSocket-Extensions` value to offer, if any. */
export function clientExtensionOffer(setting: PerMessageDeflateSetting): string | undefined {
  const options = deflateSettings(setting);
  return options === undefined ? undefined : deflateOffer(options);
}

export interface AgreedExtensions {
  /** The extensions in use, as the answer stated them; '' for none. */
  extensions: string;
  deflate?: DeflateParams;
}

/**
 * Client: checks the server's `Sec-WebSocket-Extensions` against the offer
 * (RFC 6455 §4.1; RFC 7692 §7.1): an extension that was not offered, or a
 * permessage-deflate answer the offer did not allow, fails the handshake.
 */
export function checkClientExtensions(setting: PerMessageDeflateSetting, answer: string | undefined): AgreedExtensions {
  if (answer === undefined) return { extensions: '' };
  const extensions = parseExtensions(answer);
  const options = deflateSettings(setting);
  if (options === undefined) {
    throw new HandshakeError('INVALID_EXTENSION', `the server answered with extension ${extensions[0]!.name}, which was not offered`);
  }
  return { extensions: answer, deflate: acceptDeflateAnswer(extensions, options) };
}

/** Server: the answer to the client's extension offers; '' and no deflate when none is accepted. */
export function acceptServerExtensions(setting: PerMessageDeflateSetting, offers: readonly ExtensionOffer[]): AgreedExtensions {
  const options = deflateSettings(setting);
  const accepted = options === undefined ? null : acceptDeflateOffer(offers, options);
  return accepted === null ? { extensions: '' } : { extensions: accepted.response, deflate: accepted.params };
}

/** The compression options within a setting, for the connection. */
export function compressionOptions(setting: PerMessageDeflateSetting): CompressionOptions | undefined {
  return deflateSettings(setting);
}
