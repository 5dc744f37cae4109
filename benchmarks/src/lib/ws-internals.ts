/**
 * ws's frame codec, as its package exports it (`WebSocket.Receiver`,
 * `WebSocket.Sender`); @types/ws does not describe these, so the few members
 * used are declared here.
 */
import { createRequire } from 'node:module';

export interface WsReceiver {
  write(chunk: Buffer): boolean;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
}

export interface WsFrameOptions {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  maskBuffer?: Buffer;
  generateMask?: (mask: Buffer) => void;
}

/** ws's WebSocket as its server makes one: constructed without a URL, then given its socket. */
export interface WsServerSocket {
  setSocket(socket: unknown, head: Buffer, options: { maxPayload: number; skipUTF8Validation: boolean; allowSynchronousEvents: boolean }): void;
  send(data: Buffer, options: { binary: boolean }): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
}

interface WsModule {
  new (address: null, protocols: undefined, options: object): WsServerSocket;
  Receiver: new (options: { isServer: boolean; binaryType: 'nodebuffer'; maxPayload: number; skipUTF8Validation?: boolean }) => WsReceiver;
  Sender: { frame(data: Buffer, options: WsFrameOptions): Buffer[] };
}

export const ws = createRequire(import.meta.url)('ws') as WsModule;
