/**
 * Reading an `Alt-Svc` field (RFC 7838 §3) for the one thing `auto`
 * connecting needs: does the origin offer HTTP/3, on which port, for how
 * long. Only alternatives on the same host are taken (§2.1 lets others be
 * named; following them would need the origin's certificate checked there).
 */

export interface Http3Alternative {
  port: number;
  /** Seconds the alternative may be used for (`ma`, default 24 hours, §3.1). */
  maxAge: number;
}

/** The field says: forget every alternative of this origin (§3). */
export const CLEAR = 'clear';

const DEFAULT_MAX_AGE = 86_400;

/** The HTTP/3 alternative on `host` in the field, `'clear'`, or undefined when there is neither. */
export function http3Alternative(field: string, host: string): Http3Alternative | typeof CLEAR | undefined {
  if (field.trim() === CLEAR) return CLEAR;
  for (const entry of splitOutsideQuotes(field, ',')) {
    const [alternative = '', ...parameters] = splitOutsideQuotes(entry, ';').map((part) => part.trim());
    const match = /^h3="([^"]*)"$/.exec(alternative);
    if (match === null) continue;
    const authority = /^(\[[^\]]*\]|[^:]*):(\d{1,5})$/.exec(match[1]!);
    if (authority === null) continue;
    const [, altHost, portText] = authority;
    const port = Number(portText);
    if (port < 1 || port > 65_535 || (altHost !== '' && altHost!.toLowerCase() !== host.toLowerCase())) continue;
    let maxAge = DEFAULT_MAX_AGE;
    for (const parameter of parameters) {
      const ma = /^ma="?(\d+)"?$/.exec(parameter);
      if (ma !== null) maxAge = Number(ma[1]);
    }
    return { port, maxAge };
  }
  return undefined;
}

/** Splits at `separator` where it is not inside a quoted string. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') quoted = !quoted;
    else if (char === '\\' && quoted) i++;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
