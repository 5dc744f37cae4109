import t from 'tap';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { withAltSvc } from '../src/alt-svc.js';

t.test('withAltSvc sets the field before the listener answers, and is the listener itself when there is nothing to announce', async (t) => {
  const listener = (_request: IncomingMessage, response: ServerResponse) => void response.end();
  t.equal(withAltSvc(listener, undefined), listener);
  const set: [string, string][] = [];
  const response = { setHeader: (name: string, value: string) => set.push([name, value]), end: () => set.push(['end', '']) } as unknown as ServerResponse;
  withAltSvc(listener, 'h3=":443"')({} as IncomingMessage, response);
  t.same(set, [['alt-svc', 'h3=":443"'], ['end', '']]);
});
