/**
 * Relays one WebSocket to another, message for message, each way with
 * backpressure (a slow side stops the other from being read), and hands a
 * close on to the other side with its code and reason once every message
 * before it went over.
 */
import { isValidCloseCode, type CloseDetails, type WebSocketConnection } from '@wstack/core';

export function relay(a: WebSocketConnection, b: WebSocketConnection): void {
  void forward(a, b);
  void forward(b, a);
}

async function forward(from: WebSocketConnection, to: WebSocketConnection): Promise<void> {
  const ended = new Promise<CloseDetails>((resolve) => from.once('close', resolve));
  try {
    for await (const message of from) {
      if (to.readyState !== 1) break;
      if (!to.send(message.data, { binary: message.binary })) await to.drained();
    }
  } catch {
    // The source failed: its close details say how.
  }
  endLike(to, await ended);
}

/**
 * Ends `other` as `ended` ended: the same code and reason when they may be
 * sent (RFC 6455 §7.4: not 1005, 1006 or 1015), no code after 1005, and an
 * abort after a connection that failed without a close frame.
 */
function endLike(other: WebSocketConnection, ended: CloseDetails): void {
  if (other.readyState > 1) return;
  if (isValidCloseCode(ended.code)) other.close(ended.code, ended.reason);
  else if (ended.code === 1005) other.close();
  else other.terminate();
}
