/** Whether this Node can bind a UDP port in several processes (dgram's reusePort: Node 22.12, 23.1 and later). */
export function canSharePort(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}
