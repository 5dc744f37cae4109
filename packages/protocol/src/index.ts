/**
 * @wstack/protocol: the WebSocket protocol (RFC 6455, RFC 7692's framing)
 * without I/O, timers or events. Bytes in, events out; calls in, bytes out.
 * Every transport of wstack drives it through @wstack/core.
 */
export { CloseCode, HandshakeError, ProtocolError, UsageError } from './errors.js';
export type { HandshakeErrorCode, ProtocolErrorCode, UsageErrorCode } from './errors.js';
export { Protocol, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_FRAGMENTS } from './protocol.js';
export type { ProtocolOptions, ProtocolEvent, Role } from './protocol.js';
export type { CloseState, ProtocolState } from './close-state.js';
export type { MessageEvent } from './message.js';
export { Opcode, MAX_CONTROL_PAYLOAD } from './frame.js';
export { encodeFrame, encodeTextFrame } from './serializer.js';
export type { FrameOptions } from './serializer.js';
export { isValidCloseCode, encodeClosePayload, parseClosePayload, MAX_CLOSE_REASON_BYTES } from './close.js';
export type { CloseInfo } from './close.js';
export { isUtf8 } from './utf8.js';
export { randomMaskSource } from './mask-source.js';
export type { MaskSource } from './mask-source.js';
export { xorMask, wasmMaskAvailable, nativeMaskAvailable } from './mask.js';
export { SUPPORTED_VERSIONS_HEADER, generateKey, isValidKey, acceptKey, checkVersion } from './handshake.js';
export { isToken, parseProtocols, readClientOffers, MAX_EXTENSION_OFFERS } from './header-values.js';
export type { ExtensionOffer, ExtensionParamValue } from './header-values.js';
export { sharedFields, sharedFieldValue, singleFieldValue } from './shared-field-values.js';
export {
  selectSubprotocol,
  checkSubprotocolAnswer,
  clientExtensionOffer,
  checkClientExtensions,
  acceptServerExtensions,
  compressionOptions,
} from './negotiate.js';
export type { PerMessageDeflateOptions, PerMessageDeflateSetting, AgreedExtensions } from './negotiate.js';
export { PERMESSAGE_DEFLATE } from './deflate-negotiation.js';
export type { DeflateParams, DeflateNegotiation } from './deflate-negotiation.js';
export { compressedBound, DEFAULT_COMPRESSION_THRESHOLD } from './deflate-rules.js';
export type { CompressionOptions } from './deflate-rules.js';
export { parseWebSocketUrl, UrlError } from './websocket-url.js';
