/** Where a UDP socket is, and how an address is written. */

export interface HostPort {
  host: string;
  port: number;
}

/** "127.0.0.1:443", "[::1]:443". */
export function addressText(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
