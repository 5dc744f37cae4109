/**
 * @wstack/core: the WebSocket protocol (RFC 6455) without I/O. Bytes in,
 * events out; calls in, bytes out. Every transport of wstack drives it.
 */
export { CloseCode, HandshakeError, ProtocolError, UsageError } from './errors.js';
export type { HandshakeErrorCode, ProtocolErrorCode, UsageErrorCode } from './errors.js';
export { Opcode, MAX_CONTROL_PAYLOAD } from './frame.js';
export type { FrameHeader } from './frame.js';
export { isValidCloseCode, encodeClosePayload, parseClosePayload, MAX_CLOSE_REASON_BYTES } from './close.js';
export type { CloseInfo } from './close.js';
export { Utf8Validator, isUtf8 } from './utf8.js';
export { randomMaskSource } from './mask-source.js';
export type { MaskSource } from './mask-source.js';
export { xorMask, wasmMaskAvailable, nativeMaskAvailable } from './mask.js';
export { encodeFrame, encodeTextFrame, MERGE_THRESHOLD } from './serializer.js';
export type { FrameOptions } from './serializer.js';
export { FrameParser } from './parser.js';
export type { FrameParserOptions, FramePiece } from './parser.js';
export { Protocol, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_FRAGMENTS } from './protocol.js';
export type { ProtocolOptions, ProtocolEvent, ProtocolState, Role } from './protocol.js';
export type { MessageEvent } from './message.js';
export {
  WEBSOCKET_GUID,
  SUPPORTED_VERSIONS,
  SUPPORTED_VERSIONS_HEADER,
  generateKey,
  isValidKey,
  acceptKey,
  checkVersion,
} from './handshake.js';
export { isToken, parseProtocols, parseExtensions, readExtensionOffers, formatExtensions } from './header-values.js';
export { sharedFields, sharedFieldValue, singleFieldValue } from './shared-field-values.js';
export type { ExtensionOffer, ExtensionParamValue } from './header-values.js';
export {
  selectSubprotocol,
  checkSubprotocolAnswer,
  clientExtensionOffer,
  checkClientExtensions,
  acceptServerExtensions,
  compressionOptions,
} from './negotiate.js';
export type { PerMessageDeflateOptions, PerMessageDeflateSetting, AgreedExtensions } from './negotiate.js';
export { PERMESSAGE_DEFLATE, acceptDeflateOffer, deflateOffer, acceptDeflateAnswer, checkDeflateNegotiation } from './deflate-negotiation.js';
export type { DeflateParams, DeflateNegotiation, DeflateAcceptance } from './deflate-negotiation.js';
export { PerMessageDeflate, DEFAULT_COMPRESSION_THRESHOLD } from './deflate.js';
export type { CompressionOptions } from './deflate.js';
export { Limiter, zlibLimiter } from './zlib-limiter.js';
export { WebSocketConnection, ReadyState, TimeoutError, DEFAULT_HIGH_WATER_MARK, DEFAULT_CLOSE_TIMEOUT, toBuffer } from './connection.js';
export type { ConnectionOptions, ClientHandshakeOptions, TunnelOffer, ConnectionEvents, CloseDetails, Negotiated, ReadyStateValue, SendData, SendOptions, Message } from './connection.js';
export { MessageWriter } from './message-writer.js';
export type { FragmentData } from './message-writer.js';
export type { Carrier, CarrierEvents, Transport } from './carrier.js';
export { createMemoryCarrierPair } from './memory-carrier.js';
export type { MemoryCarrierOptions } from './memory-carrier.js';
export { decideUpgrade, reject, statusText, DEFAULT_HANDSHAKE_TIMEOUT } from './upgrade-policy.js';
export type { UpgradeRequest, Rejection, AuthResult, ConnectionHandler, TunnelHandler, TunnelPolicy, ServerPolicy, ServerOptions, Acceptance, AcceptedTerms, Decision } from './upgrade-policy.js';
export { Tunnel, pipeTunnels } from './tunnel.js';
export { connectionEnding, tunnelEnding } from './client-ending.js';
export type { HandshakeEnding } from './client-ending.js';
export type { TunnelEvents } from './tunnel.js';
export { parseWebSocketUrl } from './websocket-url.js';
export { PreparedMessage } from './prepared-message.js';
export { Topics, DEFAULT_MAX_BUFFERED_AMOUNT } from './topics.js';
export type { TopicsOptions, PublishOptions, PublishResult, SlowReceiverPolicy } from './topics.js';
export { Deadline, AbortError } from './deadline.js';
