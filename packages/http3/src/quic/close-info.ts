/**
 * How a QUIC connection ended (RFC 9000 §10): closed by this side or the
 * peer with a CONNECTION_CLOSE, or timed out idle, as read from quiche
 * once it reports the connection closed.
 */
import { Buffer } from 'node:buffer';
import type { NativeConnection, NativeConnectionError } from './binding.js';

/** Why a connection ended. */
export interface QuicCloseInfo {
  /** Who closed it: this side, the peer, or nobody (idle timeout, RFC 9000 §10.1). */
  by: 'local' | 'peer' | 'idle';
  /** An application code (CONNECTION_CLOSE 0x1d) or a transport code (0x1c), RFC 9000 §19.19. */
  isApp: boolean;
  code: number;
  reason: string;
}

/** How a connection ended, in words: "timed out idle", "was closed by the peer with application code 0x100: why". */
export function closeText(info: QuicCloseInfo): string {
  if (info.by === 'idle') return 'timed out idle';
  const code = `${info.isApp ? 'application' : 'transport'} code 0x${info.code.toString(16)}`;
  const tls = !info.isApp && info.code >= 0x100 && info.code <= 0x1ff ? ` (TLS alert ${info.code - 0x100})` : '';
  return `was closed ${info.by === 'peer' ? 'by the peer' : 'here'} with ${code}${tls}${info.reason ? `: ${info.reason}` : ''}`;
}

/** Why quiche's connection ended. */
export function closeInfo(native: NativeConnection): QuicCloseInfo {
  if (native.isTimedOut()) return { by: 'idle', isApp: false, code: 0, reason: '' };
  const local = native.localError();
  if (local) return describe('local', local);
  const peer = native.peerError();
  if (peer) return describe('peer', peer);
  return { by: 'local', isApp: false, code: 0, reason: '' };
}

function describe(by: 'local' | 'peer', error: NativeConnectionError): QuicCloseInfo {
  return { by, isApp: error.isApp, code: error.errorCode, reason: Buffer.from(error.reason ?? []).toString('utf8') };
}
