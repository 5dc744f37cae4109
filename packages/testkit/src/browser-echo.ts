/**
 * One echo round from inside a browser page: open a WebSocket with a
 * subprotocol, send text and 1 MiB of binary, check what comes back, close.
 * The server must echo, and close with 4000 'as asked' when it receives the
 * text 'close please'. Returns the events as lines, for one `t.same`.
 */
import type { Page } from 'playwright-core';

export interface BrowserEchoOptions {
  url: string;
  text: string;
  /** 'client': the page closes with 1000 'done'; 'server': the page asks the server to close. */
  closeBy: 'client' | 'server';
}

export function browserEcho(page: Page, options: BrowserEchoOptions): Promise<string[]> {
  return page.evaluate(async ({ url, text, closeBy }) => {
    const ws = new WebSocket(url, ['chat']);
    ws.binaryType = 'arraybuffer';
    const events: string[] = [];
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('WebSocket error'));
    });
    events.push(`open ${ws.protocol} ${ws.extensions}`);
    const big = new Uint8Array(1024 * 1024).map((_, i) => i * 7);
    const received = new Promise<unknown[]>((resolve) => {
      const got: unknown[] = [];
      ws.onmessage = (e) => {
        got.push(e.data);
        if (got.length === 2) resolve(got);
      };
    });
    ws.send(text);
    ws.send(big);
    const [echoedText, bytes] = await received;
    events.push(String(echoedText));
    const echoed = new Uint8Array(bytes as ArrayBuffer);
    events.push(`binary ${echoed.length} ${echoed.every((v, i) => v === big[i])}`);
    type Closed = { code: number; reason: string; wasClean: boolean };
    const close = new Promise<Closed>((resolve) => (ws.onclose = (event) => resolve(event as unknown as Closed)));
    if (closeBy === 'client') ws.close(1000, 'done');
    else ws.send('close please');
    const event = await close;
    events.push(`close ${event.code} ${event.reason} ${event.wasClean}`);
    return events;
  }, options);
}
