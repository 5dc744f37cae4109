/**
 * The SETTINGS frame (RFC 9114 §7.2.4): a list of (identifier, value) pairs,
 * both varints.
 */
import { Http3Error } from './errors.js';
import { FrameType, encodeFrame, reservedValue } from './frames.js';
import { readVarintBigInt, varintSize, writeVarint } from './varint.js';

export const SettingId = {
  /** RFC 9204 §5. */
  QPACK_MAX_TABLE_CAPACITY: 0x01,
  /** RFC 9114 §7.2.4.1. */
  MAX_FIELD_SECTION_SIZE: 0x06,
  /** RFC 9204 §5. */
  QPACK_BLOCKED_STREAMS: 0x07,
  /** RFC 9220 §3 (the identifier of RFC 8441 §3). */
  ENABLE_CONNECT_PROTOCOL: 0x08,
  /** RFC 9297 §2.1.1. */
  H3_DATAGRAM: 0x33,
} as const;

/** The settings a peer sent, with each default filled in where it sent none. */
export interface Http3Settings {
  /** Default 0 (RFC 9204 §5). Values above 2^53-1 read as Number.MAX_SAFE_INTEGER. */
  qpackMaxTableCapacity: number;
  /** Default unlimited (Infinity) (RFC 9114 §7.2.4.1). Values above 2^53-1 read as Infinity. */
  maxFieldSectionSize: number;
  /** Default 0 (RFC 9204 §5). */
  qpackBlockedStreams: number;
  /** Default false (RFC 8441 §3). */
  enableConnectProtocol: boolean;
  /** Default false (RFC 9297 §2.1.1). */
  h3Datagram: boolean;
  /** Every parameter as received, known or not, exact. */
  parameters: [id: bigint, value: bigint][];
}

export const DEFAULT_SETTINGS: Readonly<Http3Settings> = Object.freeze({
  qpackMaxTableCapacity: 0,
  maxFieldSectionSize: Infinity,
  qpackBlockedStreams: 0,
  enableConnectProtocol: false,
  h3Datagram: false,
  parameters: [],
});

/**
 * §7.2.4.1: identifiers HTTP/2 defined without an HTTP/3 counterpart
 * (ENABLE_PUSH, MAX_CONCURRENT_STREAMS, INITIAL_WINDOW_SIZE, MAX_FRAME_SIZE).
 * The registry also reserves 0x00 (§11.2.2) but only these are errors on
 * receipt; 0x00 is ignored like any identifier we do not know.
 */
function isHttp2Setting(id: bigint): boolean {
  return id >= 0x02n && id <= 0x05n;
}

/**
 * Decodes a SETTINGS payload.
 * - A parameter cut short is H3_FRAME_ERROR (§7.1).
 * - An HTTP/2 identifier (§7.2.4.1) or a repeated identifier (§7.2.4, which
 *   allows this choice) is H3_SETTINGS_ERROR.
 * - ENABLE_CONNECT_PROTOCOL and H3_DATAGRAM other than 0 or 1 are
 *   H3_SETTINGS_ERROR (RFC 8441 §3 as applied by RFC 9220 §3; RFC 9297 §2.1.1).
 * - Unknown and reserved (0x1f * N + 0x21) identifiers are ignored (§7.2.4, §9).
 */
export function decodeSettings(payload: Uint8Array): Http3Settings {
  const settings: Http3Settings = { ...DEFAULT_SETTINGS, parameters: [] };
  const seen = new Set<bigint>();
  let offset = 0;
  while (offset < payload.length) {
    const id = readVarintBigInt(payload, offset);
    const value = id && readVarintBigInt(payload, offset + id.size);
    if (!id || !value) throw new Http3Error('H3_FRAME_ERROR', 'SETTINGS payload ends inside a parameter (RFC 9114 §7.1)');
    offset += id.size + value.size;
    if (seen.has(id.value)) throw settingsError(`setting 0x${id.value.toString(16)} appears twice (RFC 9114 §7.2.4)`);
    seen.add(id.value);
    settings.parameters.push([id.value, value.value]);
    if (isHttp2Setting(id.value)) throw settingsError(`HTTP/2 setting 0x${id.value.toString(16)} (RFC 9114 §7.2.4.1)`);
    switch (id.value) {
      case BigInt(SettingId.QPACK_MAX_TABLE_CAPACITY):
        settings.qpackMaxTableCapacity = clamp(value.value);
        break;
      case BigInt(SettingId.MAX_FIELD_SECTION_SIZE):
        settings.maxFieldSectionSize = value.value > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(value.value);
        break;
      case BigInt(SettingId.QPACK_BLOCKED_STREAMS):
        settings.qpackBlockedStreams = clamp(value.value);
        break;
      case BigInt(SettingId.ENABLE_CONNECT_PROTOCOL):
        settings.enableConnectProtocol = flag(value.value, 'SETTINGS_ENABLE_CONNECT_PROTOCOL');
        break;
      case BigInt(SettingId.H3_DATAGRAM):
        settings.h3Datagram = flag(value.value, 'SETTINGS_H3_DATAGRAM');
        break;
    }
  }
  return settings;
}

/** What we send: our values for the settings we act on. */
export interface LocalSettings {
  /** Our limit on a decoded field section (RFC 9114 §4.2.2). */
  maxFieldSectionSize: number;
  /** Advertise extended CONNECT (RFC 9220 §3). Default true. */
  enableConnectProtocol?: boolean;
  /** Advertise HTTP Datagrams (RFC 9297). Default false: we do not handle them. */
  h3Datagram?: boolean;
  /**
   * A reserved parameter to send (§7.2.4.1: endpoints SHOULD include one, so
   * that peers keep ignoring unknown identifiers). Default: none.
   */
  grease?: { id: bigint; value: number | bigint };
}

/**
 * Our SETTINGS payload. QPACK_MAX_TABLE_CAPACITY and QPACK_BLOCKED_STREAMS
 * are sent as 0 although 0 is their default: it says plainly that we use no
 * dynamic table (RFC 9204 §5).
 */
export function encodeSettings(local: LocalSettings): Buffer {
  const parameters: [number | bigint, number | bigint][] = [
    [SettingId.QPACK_MAX_TABLE_CAPACITY, 0],
    [SettingId.QPACK_BLOCKED_STREAMS, 0],
    [SettingId.MAX_FIELD_SECTION_SIZE, local.maxFieldSectionSize],
  ];
  if (local.enableConnectProtocol ?? true) parameters.push([SettingId.ENABLE_CONNECT_PROTOCOL, 1]);
  if (local.h3Datagram) parameters.push([SettingId.H3_DATAGRAM, 1]);
  if (local.grease) parameters.push([local.grease.id, local.grease.value]);
  return encodeParameters(parameters);
}

/** Any list of parameters as a SETTINGS payload (for tests and extensions). */
export function encodeParameters(parameters: readonly (readonly [number | bigint, number | bigint])[]): Buffer {
  let size = 0;
  for (const [id, value] of parameters) size += varintSize(id) + varintSize(value);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [id, value] of parameters) at = writeVarint(out, writeVarint(out, at, id), value);
  return out;
}

/** A whole SETTINGS frame. */
export function encodeSettingsFrame(local: LocalSettings): Buffer {
  return encodeFrame(FrameType.SETTINGS, encodeSettings(local));
}

/** A reserved setting identifier chosen from `random` (a function like Math.random). */
export function greaseSettingId(random: () => number): bigint {
  // N below 2^32 keeps the identifier within 2^62-1.
  return reservedValue(Math.floor(random() * 0x100000000));
}

function clamp(value: bigint): number {
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}

function flag(value: bigint, name: string): boolean {
  if (value === 0n) return false;
  if (value === 1n) return true;
  throw settingsError(`${name} must be 0 or 1, got ${value}`);
}

function settingsError(message: string): Http3Error {
  return new Http3Error('H3_SETTINGS_ERROR', message);
}
