/**
 * Negotiation of permessage-deflate (RFC 7692 §7.1), both roles. Pure
 * functions over parsed `Sec-WebSocket-Extensions` values: the server picks
 * the first acceptable offer and builds its answer; the client builds its
 * offer and checks the server's answer.
 */
import { HandshakeError } from './errors.js';
import type { ExtensionOffer, ExtensionParamValue } from './header-values.js';

export const PERMESSAGE_DEFLATE = 'permessage-deflate';

/** The agreed parameters (RFC 7692 §7.1): who keeps context, and each direction's window. */
export interface DeflateParams {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  /** Base-2 log of the server's LZ77 window, 8–15 (15 when not negotiated). */
  serverMaxWindowBits: number;
  clientMaxWindowBits: number;
}

/** What an endpoint asks for. Every field is optional; the defaults keep full context and windows. */
export interface DeflateNegotiation {
  /**
   * Server: answer with it even when not asked (the server compresses each
   * message on its own: less memory). Client: ask the server for it.
   */
  serverNoContextTakeover?: boolean;
  /** Server: make the client compress each message on its own. Client: say it will. */
  clientNoContextTakeover?: boolean;
  /** Server: the largest window it compresses with. Client: ask the server for at most this. */
  serverMaxWindowBits?: number;
  /** Server: the largest window the client may use (when the client allows it). Client: the hint it offers. */
  clientMaxWindowBits?: number;
}

const DEFAULT_WINDOW_BITS = 15;
/** 8 to 15 without leading zeros (RFC 7692 §7.1.2.1, §7.1.2.2). */
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

/** Parameters as an offer or an answer states them; undefined for invalid ones. */
interface Stated {
  serverNoContextTakeover: boolean;
  clientNoContextTakeover: boolean;
  serverMaxWindowBits: number | undefined;
  /** `true` for the valueless form, which only an offer may use. */
  clientMaxWindowBits: number | true | undefined;
}

/**
 * Reads the parameters of one permessage-deflate element. Unknown,
 * repeated or ill-valued parameters make it invalid (§7.1): undefined.
 */
function readParams(params: readonly [string, ExtensionParamValue][], valuelessClientWindow: boolean): Stated | undefined {
  const stated: Stated = { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: undefined, clientMaxWindowBits: undefined };
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) return undefined;
    seen.add(name);
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) return undefined;
        stated[name === 'server_no_context_takeover' ? 'serverNoContextTakeover' : 'clientNoContextTakeover'] = true;
        break;
      case 'server_max_window_bits':
        if (value === true || !WINDOW_BITS.test(value)) return undefined;
        stated.serverMaxWindowBits = Number(value);
        break;
      case 'client_max_window_bits':
        if (value === true) {
          if (!valuelessClientWindow) return undefined;
          stated.clientMaxWindowBits = true;
        } else {
          if (!WINDOW_BITS.test(value)) return undefined;
          stated.clientMaxWindowBits = Number(value);
        }
        break;
      default:
        return undefined;
    }
  }
  return stated;
}

function checkBits(bits: number | undefined, name: string): void {
  if (bits !== undefined && (!Number.isInteger(bits) || bits < 8 || bits > 15)) {
    throw new RangeError(`${name} must be an integer from 8 to 15, not ${bits}`);
  }
}

/** Checks options before they are used, so that a mistake shows at once. */
export function checkDeflateNegotiation(options: DeflateNegotiation): void {
  checkBits(options.serverMaxWindowBits, 'serverMaxWindowBits');
  checkBits(options.clientMaxWindowBits, 'clientMaxWindowBits');
}

export interface DeflateAcceptance {
  params: DeflateParams;
  /** The element for the answer's `Sec-WebSocket-Extensions`. */
  response: string;
}

/**
 * Server: the first acceptable permessage-deflate offer, with the answer to
 * give; null when there is none (the connection then goes on without it).
 */
export function acceptDeflateOffer(offers: readonly ExtensionOffer[], options: DeflateNegotiation = {}): DeflateAcceptance | null {
  for (const offer of offers) {
    if (offer.name !== PERMESSAGE_DEFLATE) continue;
    const stated = readParams(offer.params, true);
    if (stated === undefined) continue; // §7.1: decline an invalid offer, try the next
    const response: string[] = [PERMESSAGE_DEFLATE];
    // §7.1.1.1: accepting an offer of server_no_context_takeover means answering with it; the server may add it unasked.
    const serverNoContextTakeover = stated.serverNoContextTakeover || options.serverNoContextTakeover === true;
    if (serverNoContextTakeover) response.push('server_no_context_takeover');
    // §7.1.1.2: the server may always demand it, and may take the client's hint.
    const clientNoContextTakeover = stated.clientNoContextTakeover || options.clientNoContextTakeover === true;
    if (clientNoContextTakeover) response.push('client_no_context_takeover');
    // §7.1.2.1: accept a requested window with the same or a smaller one; the server may state one unasked.
    const serverLimit = options.serverMaxWindowBits ?? DEFAULT_WINDOW_BITS;
    const serverMaxWindowBits = Math.min(stated.serverMaxWindowBits ?? DEFAULT_WINDOW_BITS, serverLimit);
    if (stated.serverMaxWindowBits !== undefined || serverMaxWindowBits < DEFAULT_WINDOW_BITS) {
      response.push(`server_max_window_bits=${serverMaxWindowBits}`);
    }
    // §7.1.2.2: only when offered may the server limit the client's window, to at most a value offered.
    let clientMaxWindowBits = DEFAULT_WINDOW_BITS;
    if (stated.clientMaxWindowBits !== undefined) {
      const hint = stated.clientMaxWindowBits === true ? DEFAULT_WINDOW_BITS : stated.clientMaxWindowBits;
      clientMaxWindowBits = Math.min(hint, options.clientMaxWindowBits ?? DEFAULT_WINDOW_BITS);
      if (clientMaxWindowBits < DEFAULT_WINDOW_BITS) response.push(`client_max_window_bits=${clientMaxWindowBits}`);
    }
    return {
      params: { serverNoContextTakeover, clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits },
      response: response.join('; '),
    };
  }
  return null;
}

/** Client: the permessage-deflate offer for `Sec-WebSocket-Extensions`. */
export function deflateOffer(options: DeflateNegotiation = {}): string {
  checkDeflateNegotiation(options);
  const offer: string[] = [PERMESSAGE_DEFLATE];
  if (options.serverNoContextTakeover) offer.push('server_no_context_takeover');
  if (options.clientNoContextTakeover) offer.push('client_no_context_takeover');
  if (options.serverMaxWindowBits !== undefined) offer.push(`server_max_window_bits=${options.serverMaxWindowBits}`);
  // Always offered, so that a server may limit the client's window to save its memory.
  offer.push(options.clientMaxWindowBits === undefined ? 'client_max_window_bits' : `client_max_window_bits=${options.clientMaxWindowBits}`);
  return offer.join('; ');
}

/**
 * Client: the agreed parameters from the server's `Sec-WebSocket-Extensions`
 * answer to `deflateOffer(options)`. Anything the offer did not allow fails
 * the handshake (§7.1).
 */
export function acceptDeflateAnswer(answer: readonly ExtensionOffer[], options: DeflateNegotiation = {}): DeflateParams {
  const fail = (why: string): never => {
    throw new HandshakeError('INVALID_EXTENSION', `invalid permessage-deflate answer: ${why}`);
  };
  const elements = answer.filter((extension) => extension.name === PERMESSAGE_DEFLATE);
  if (answer.length !== elements.length) fail(`extension ${answer.find((e) => e.name !== PERMESSAGE_DEFLATE)!.name} was not offered`);
  if (elements.length !== 1) fail(elements.length === 0 ? 'no extension in the answer' : 'permessage-deflate accepted twice');
  const stated = readParams(elements[0]!.params, false);
  if (stated === undefined) return fail(`parameters ${JSON.stringify(elements[0]!.params)} are unknown, repeated or out of range`);
  if (options.serverNoContextTakeover && !stated.serverNoContextTakeover) fail('server_no_context_takeover was asked for and not granted');
  const requested = options.serverMaxWindowBits;
  if (requested !== undefined && (stated.serverMaxWindowBits === undefined || stated.serverMaxWindowBits > requested)) {
    fail(`server_max_window_bits must be at most ${requested}`);
  }
  const clientWindow = stated.clientMaxWindowBits as number | undefined;
  if (clientWindow !== undefined && options.clientMaxWindowBits !== undefined && clientWindow > options.clientMaxWindowBits) {
    fail(`client_max_window_bits must be at most ${options.clientMaxWindowBits}`);
  }
  return {
    serverNoContextTakeover: stated.serverNoContextTakeover,
    clientNoContextTakeover: stated.clientNoContextTakeover || options.clientNoContextTakeover === true,
    serverMaxWindowBits: stated.serverMaxWindowBits ?? DEFAULT_WINDOW_BITS,
    clientMaxWindowBits: clientWindow ?? options.clientMaxWindowBits ?? DEFAULT_WINDOW_BITS,
  };
}
