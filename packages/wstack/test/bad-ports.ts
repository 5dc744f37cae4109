/** Fetch's port blocking in the WHATWG WebSocket: a bad port fails the connection without a network attempt. */
import t from 'tap';
import { WebSocket, CloseEvent } from '../src/index.js';
import { hasBadPort } from '../src/bad-ports.js';

t.test('bad ports: the ones of Fetch §2.9, not default ports', async (t) => {
  for (const url of ['ws://h:1/', 'ws://h:0/', 'ws://h:6667/', 'wss://h:6697/', 'ws://h:10080/', 'ws://h:4190/']) t.ok(hasBadPort(new URL(url)), url);
  for (const url of ['ws://h/', 'wss://h/', 'ws://h:80/', 'wss://h:443/', 'ws://h:8080/', 'ws://h:6670/']) t.notOk(hasBadPort(new URL(url)), url);
});

t.test('a WebSocket to a bad port fails asynchronously, error then close 1006, without dialling', async (t) => {
  let dialled = false;
  const ws = new WebSocket('ws://127.0.0.1:25/', [], {
    connect: () => {
      dialled = true;
      return Promise.reject(new Error('dialled'));
    },
  });
  t.equal(ws.readyState, WebSocket.CONNECTING, 'the constructor does not throw (the standard dropped its SecurityError)');
  const events: string[] = [];
  ws.onerror = () => events.push('error');
  const close = await new Promise<CloseEvent>((resolve) => (ws.onclose = (event) => resolve(event as CloseEvent)));
  t.same(events, ['error']);
  t.same([close.code, close.wasClean], [1006, false]);
  t.equal(dialled, false, 'no connection was attempted');
});
