/**
 * Outside peers (a browser, a Debian tool): in CI (CI=true) a missing peer
 * fails the test; elsewhere it is skipped with a loud notice.
 */
import { existsSync } from 'node:fs';
import type { Test } from 'tap';

export const CHROMIUM = process.env.WSTACK_CHROMIUM ?? '/usr/bin/chromium';

/** True when the peer is there; otherwise fails (CI) or skips (elsewhere) and returns false. */
export function requirePeer(t: Test, name: string, available: boolean, install: string): boolean {
  if (available) return true;
  const message = `${name} is not installed (${install})`;
  if (process.env.CI === 'true') {
    t.fail(`${message}: CI must have it`);
  } else {
    process.stderr.write(`\n********** SKIPPED: ${message} **********\n\n`);
    t.test(name, { skip: message }, () => undefined);
  }
  return false;
}

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

/** Debian's nghttp2-proxy: an HTTP/2 proxy that maps WebSockets between HTTP/1.1 and RFC 8441. */
export const NGHTTPX = process.env.WSTACK_NGHTTPX ?? '/usr/sbin/nghttpx';

export function hasNghttpx(): boolean {
  return existsSync(NGHTTPX);
}

/** The flags every headless Chromium of the tests starts with. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Debian's Chromium through playwright-core, with a fresh profile (playwright makes one per launch). */
export async function launchChromium(extraFlags: string[] = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS, ...extraFlags] });
}
