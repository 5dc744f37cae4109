/** ws's permessage-deflate options (RFC 7692) as wstack's: the same negotiation fields, zlib's level and memLevel, the threshold. */
import type { PerMessageDeflateOptions } from '@wstack/protocol';

export interface WsPerMessageDeflate {
  serverNoContextTakeover?: boolean;
  clientNoContextTakeover?: boolean;
  /** A number of bits, or true for "any" (no value stated). */
  serverMaxWindowBits?: number | boolean;
  clientMaxWindowBits?: number | boolean;
  zlibDeflateOptions?: { level?: number; memLevel?: number };
  zlibInflateOptions?: object;
  /** Messages smaller than this go uncompressed. ws's default 1024. */
  threshold?: number;
  /** wstack caps concurrent zlib work for the whole process instead. */
  concurrencyLimit?: number;
}

export function deflateSetting(options: WsPerMessageDeflate): PerMessageDeflateOptions {
  const bits = (value: number | boolean | undefined) => (typeof value === 'number' ? value : undefined);
  const setting: PerMessageDeflateOptions = {};
  if (options.serverNoContextTakeover !== undefined) setting.serverNoContextTakeover = options.serverNoContextTakeover;
  if (options.clientNoContextTakeover !== undefined) setting.clientNoContextTakeover = options.clientNoContextTakeover;
  const serverBits = bits(options.serverMaxWindowBits);
  const clientBits = bits(options.clientMaxWindowBits);
  if (serverBits !== undefined) setting.serverMaxWindowBits = serverBits;
  if (clientBits !== undefined) setting.clientMaxWindowBits = clientBits;
  if (options.zlibDeflateOptions?.level !== undefined) setting.level = options.zlibDeflateOptions.level;
  if (options.zlibDeflateOptions?.memLevel !== undefined) setting.memLevel = options.zlibDeflateOptions.memLevel;
  setting.threshold = options.threshold ?? 1024;
  return setting;
}
