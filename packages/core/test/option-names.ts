/** Options checked by name: an unknown one is a TypeError that names it and says what to use instead. */
import t from 'tap';
import { CLIENT_HANDSHAKE_OPTION_NAMES, CONNECTION_OPTION_NAMES, SERVER_OPTION_NAMES, WS_SERVER_OPTION_ADVICE, checkOptions, optionNameSet } from '../src/option-names.js';

const SERVER = optionNameSet(SERVER_OPTION_NAMES);

t.test('known names pass, whatever their values; no options at all pass', async (t) => {
  t.doesNotThrow(() => checkOptions({ handler: () => undefined, routes: {}, maxMessageSize: 1, topics: undefined }, SERVER, 'a server'));
  t.doesNotThrow(() => checkOptions({}, SERVER, 'a server'));
  t.doesNotThrow(() => checkOptions(undefined, SERVER, 'a server'));
  t.doesNotThrow(() => checkOptions(null as unknown as object, SERVER, 'a server'));
});

t.test('an unknown name is a TypeError naming it and its owner, even with an undefined value', async (t) => {
  t.throws(() => checkOptions({ handler: undefined, bogus: 1 }, SERVER, 'the test server'), new TypeError('unknown option bogus for the test server'));
  t.throws(() => checkOptions({ zzz: undefined }, SERVER, 'the test server'), TypeError);
});

t.test('a name like a known one suggests it: the start of it, another case, one or two edits away', async (t) => {
  const message = (options: object) => {
    try {
      checkOptions(options, SERVER, 'X');
    } catch (error) {
      return (error as Error).message;
    }
    return 'passed';
  };
  t.equal(message({ prot: 1 }), 'unknown option prot for X; did you mean protocols?');
  t.equal(message({ Handler: 1 }), 'unknown option Handler for X; did you mean handler?');
  t.equal(message({ rutes: 1 }), 'unknown option rutes for X; did you mean routes?', 'one edit in a short name');
  t.equal(message({ maxMesageSize: 1 }), 'unknown option maxMesageSize for X; did you mean maxMessageSize?');
  t.equal(message({ pingIntervall: 1 }), 'unknown option pingIntervall for X; did you mean pingInterval?');
  t.equal(message({ pu: 1 }), 'unknown option pu for X', 'two letters begin too much to guess from');
  t.equal(message({ ab: 1 }), 'unknown option ab for X');
});

t.test("advice, when given for a name, says what to use instead (ws's names)", async (t) => {
  t.throws(() => checkOptions({ verifyClient: () => true }, SERVER, 'X', WS_SERVER_OPTION_ADVICE), new TypeError('unknown option verifyClient for X: use authenticate (and origins)'));
  t.throws(() => checkOptions({ port: 80 }, SERVER, 'X', { port: 'call listen({ port })' }), new TypeError('unknown option port for X: call listen({ port })'));
  t.throws(() => checkOptions({ toString: 1 }, SERVER, 'X', {}), /unknown option toString for X/, "a prototype's name is no advice");
});

t.test('the lists: connections, servers, clients', async (t) => {
  t.ok(Object.keys(CONNECTION_OPTION_NAMES).every((name) => SERVER.has(name)), 'a server takes every connection option');
  const client = optionNameSet(CLIENT_HANDSHAKE_OPTION_NAMES);
  t.ok(client.has('signal') && client.has('origin') && client.has('highWaterMark'));
  t.notOk(client.has('handler'));
});
