/**
 * What quiche's native binding offers that this package uses, as types:
 * its Config, Connection and Header objects and its module functions.
 * native.ts loads it.
 */
import type { HostPort } from './address.js';

/** What quiche's `Config` offers that this package uses. */
export interface NativeConfig {
  grease(on: boolean): void;
  setApplicationProtos(protos: string[]): void;
  setMaxIdleTimeout(ms: number): void;
  setMaxRecvUdpPayloadSize(size: number): void;
  setMaxSendUdpPayloadSize(size: number): void;
  setInitialMaxData(bytes: number): void;
  setInitialMaxStreamDataBidiLocal(bytes: number): void;
  setInitialMaxStreamDataBidiRemote(bytes: number): void;
  setInitialMaxStreamDataUni(bytes: number): void;
  setInitialMaxStreamsBidi(count: number): void;
  setInitialMaxStreamsUni(count: number): void;
  setMaxConnectionWindow(bytes: number): void;
  setMaxStreamWindow(bytes: number): void;
  setDisableActiveMigration(disable: boolean): void;
}

export interface NativeConnectionError {
  isApp: boolean;
  errorCode: number;
  reason: Uint8Array;
}

/** What quiche's `Connection` offers that this package uses (quiche 0.18, through the binding of @matrixai/quic 2.0.9). */
export interface NativeConnection {
  recv(data: Uint8Array, info: { from: HostPort; to: HostPort }): number;
  send(out: Uint8Array): [number, { from: HostPort; to: HostPort }] | null;
  streamRecv(id: number, out: Uint8Array): [number, boolean] | null;
  streamSend(id: number, data: Uint8Array, fin: boolean): number | null;
  streamShutdown(id: number, direction: number, code: number): void | null;
  streamCapacity(id: number): number;
  streamFinished(id: number): boolean;
  streamReadable(id: number): boolean;
  isReadable(): boolean;
  peerStreamsLeftBidi(): number;
  peerStreamsLeftUni(): number;
  readable(): Iterable<number>;
  writable(): Iterable<number>;
  timeout(): number | null;
  onTimeout(): void;
  close(app: boolean, code: number, reason: Uint8Array): void | null;
  peerCertChain(): Uint8Array[] | null;
  isEstablished(): boolean;
  isDraining(): boolean;
  isClosed(): boolean;
  isTimedOut(): boolean;
  peerError(): NativeConnectionError | null;
  localError(): NativeConnectionError | null;
  sendAckEliciting(): void;
}

export interface NativeHeader {
  ty: number;
  version: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  token?: Uint8Array | null;
}

export interface Quiche {
  Config: {
    withBoringSslCtx(verifyPeer: boolean, verifyAllowFail: boolean, ca?: Uint8Array | null, keys?: Uint8Array[] | null, certs?: Uint8Array[] | null, sigalgs?: string | null): NativeConfig;
  };
  Connection: {
    connect(serverName: string | null, scid: Uint8Array, local: HostPort, remote: HostPort, config: NativeConfig): NativeConnection;
    accept(scid: Uint8Array, odcid: Uint8Array | null, local: HostPort, remote: HostPort, config: NativeConfig): NativeConnection;
  };
  Header: { fromSlice(data: Uint8Array, dcidLength: number): NativeHeader };
  negotiateVersion(scid: Uint8Array, dcid: Uint8Array, out: Uint8Array): number;
  retry(scid: Uint8Array, dcid: Uint8Array, newScid: Uint8Array, token: Uint8Array, version: number, out: Uint8Array): number;
  versionIsSupported(version: number): boolean;
  Type: { Initial: number; Retry: number; Handshake: number; ZeroRTT: number; VersionNegotiation: number; Short: number };
  Shutdown: { Read: number; Write: number };
  MAX_CONN_ID_LEN: number;
  PROTOCOL_VERSION: number;
}
