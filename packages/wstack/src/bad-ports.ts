/**
 * Port blocking of the Fetch Standard (§2.9 "Port blocking"): a fetch of an
 * http(s) URL to one of these ports is a network error, and a WebSocket's
 * handshake is such a fetch (WebSockets Standard, "establish a WebSocket
 * connection"). They belong to protocols that a crafted HTTP request could
 * be made to talk to (cross-protocol attacks); browsers and undici refuse them.
 */

/** Fetch §2.9's list of bad ports. */
const BAD_PORTS = new Set([
  0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143,
  161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045,
  4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** The URL's port is a bad port. A default port (none in the URL: 80 or 443) never is. */
export function hasBadPort(url: URL): boolean {
  return url.port !== '' && BAD_PORTS.has(Number(url.port));
}
