/**
 * The closing handshake's states (RFC 6455 §7), and the coarser
 * OPEN/CLOSING/CLOSED that the WebSocket API shows.
 */
/**
 * OPEN: data flows both ways. CLOSING: one close frame has gone one way (this
 * side waits for the peer's, or owes its answer). CLOSED: the close handshake
 * is complete, the connection failed, or the peer's stream ended.
 */
export type ProtocolState = 'OPEN' | 'CLOSING' | 'CLOSED';

/**
 * Where the closing handshake (RFC 6455 §7) stands, named by who acted:
 * - open: no close frame either way.
 * - closedByUs: this side's close frame went first; the peer's is awaited
 *   and input is still read (§7.1.2).
 * - closedByPeer: the peer's close frame came first; this side owes the
 *   answer (§5.5.1).
 * - failing: the peer broke the protocol; this side owes the failure's
 *   close frame (§7.1.7).
 * - acknowledgedByPeer: this side closed first and the peer answered.
 * - acknowledgedByUs: the peer closed first and this side answered.
 * - failed: this side failed the connection: nothing more in or out.
 * - ended: the peer's stream ended while nothing was owed to it.
 */
export type CloseState = 'open' | 'closedByUs' | 'closedByPeer' | 'failing' | 'acknowledgedByPeer' | 'acknowledgedByUs' | 'failed' | 'ended';

export const PROTOCOL_STATE: Record<CloseState, ProtocolState> = {
  open: 'OPEN',
  closedByUs: 'CLOSING',
  closedByPeer: 'CLOSING',
  failing: 'CLOSING',
  acknowledgedByPeer: 'CLOSED',
  acknowledgedByUs: 'CLOSED',
  failed: 'CLOSED',
  ended: 'CLOSED',
};
