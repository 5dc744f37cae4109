/** RelayedTopics over an in-memory relay shared by two "processes": what crosses, what is followed, and when. */
import t from 'tap';
import { WebSocketConnection } from '../src/connection.js';
import { createMemoryCarrierPair } from '../src/memory-carrier.js';
import { PreparedMessage } from '../src/prepared-message.js';
import { RelayedTopics, type RelayedMessage, type TopicRelay } from '../src/relayed-topics.js';
import { canSharePort } from '../src/share-port.js';
import { Topics, type TopicsLike } from '../src/topics.js';

/** Carries publishes between the RelayedTopics made on it, as a Redis or a primary process would. */
class Hub {
  readonly log: string[] = [];
  readonly followers = new Map<string, Set<(message: RelayedMessage) => void>>();
  failPublish = false;
  failFollow = false;

  relay(name: string) {
    return (deliver: (message: RelayedMessage) => void): TopicRelay<{ followers: number }> => ({
      follow: async (topic) => {
        this.log.push(`${name} follow ${topic}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (this.failFollow) throw new Error('follow failed');
        let set = this.followers.get(topic);
        if (set === undefined) this.followers.set(topic, (set = new Set()));
        set.add(deliver);
      },
      unfollow: (topic) => {
        this.log.push(`${name} unfollow ${topic}`);
        this.followers.get(topic)?.delete(deliver);
      },
      publish: async (message) => {
        if (this.failPublish) throw new Error('relay down');
        const set = this.followers.get(message.topic) ?? new Set();
        for (const follower of set) follower(message);
        return { followers: set.size };
      },
      close: async () => void this.log.push(`${name} close`),
    });
  }
}

function member(topics: TopicsLike) {
  const [a, b] = createMemoryCarrierPair();
  const client = new WebSocketConnection('client', a);
  const server = new WebSocketConnection('server', b, undefined, { topics });
  const got: string[] = [];
  client.on('message', (data, binary) => got.push(binary ? `bytes:${data.toString('hex')}` : data.toString()));
  return { client, server, got };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

t.test('Topics says when a topic gets its first subscriber and loses its last, also by a close', async (t) => {
  const changes: string[] = [];
  const topics = new Topics({ onActive: (topic, active) => changes.push(`${topic} ${active}`) });
  const [one, two] = [member(topics), member(topics)];
  one.server.subscribe('a');
  two.server.subscribe('a');
  one.server.subscribe('b');
  one.server.unsubscribe('a');
  two.server.unsubscribe('a');
  one.server.terminate();
  await settle();
  t.same(changes, ['a true', 'b true', 'a false', 'b false']);
  two.server.terminate();
});

t.test('a publish in one process reaches the subscribers of both, in order; a process follows only topics with subscribers', async (t) => {
  const hub = new Hub();
  const a = new RelayedTopics(hub.relay('A'));
  const b = new RelayedTopics(hub.relay('B'));
  const [onA, onB, alsoB] = [member(a), member(b), member(b)];
  onA.server.subscribe('news');
  onB.server.subscribe('news');
  alsoB.server.subscribe('news');
  t.same(hub.log, ['A follow news', 'B follow news'], 'one follow per process, at its first subscriber');
  await Promise.all([a.ready(), b.ready()]);
  t.same(await a.publish('news', 'one'), { followers: 2 }, 'the relay says what became of it');
  await b.publish('news', Buffer.from([1, 2]));
  await b.publish('news', new Uint8Array([3]).buffer);
  await a.publish('news', new PreparedMessage('prepared'));
  await a.publish('news', new Uint16Array([0x0404]), { binary: false, compress: false });
  await settle();
  const expected = ['one', 'bytes:0102', 'bytes:03', 'prepared', '\x04\x04'];
  t.same([onA.got, onB.got, alsoB.got], [expected, expected, expected]);
  t.same([a.subscriberCount('news'), b.subscriberCount('news'), b.topics, b.subscriptions(onB.server)], [1, 2, ['news'], ['news']]);
  onB.server.unsubscribe('news');
  t.equal(b.unsubscribe(onB.server, 'news'), false);
  t.equal(hub.log.length, 2, 'B still has a subscriber: it still follows');
  alsoB.server.terminate();
  await settle();
  t.same(hub.log.slice(2), ['B unfollow news']);
  await a.publish('news', 'two');
  await settle();
  t.same(alsoB.got.length, expected.length, 'nothing more for B');
  await Promise.all([a.close(), b.close(), a.close()]);
  t.same(hub.log.slice(3), ['A close', 'B close'], 'closed once each');
  await t.rejects(a.publish('news', 'late'), /closed/);
  onA.server.unsubscribe('news');
  t.same(hub.log.length, 5, 'a closed RelayedTopics no longer follows or unfollows');
  onA.server.terminate();
  onB.server.terminate();
});

t.test('the bytes published are copied: the caller may reuse its buffer at once', async (t) => {
  const hub = new Hub();
  const topics = new RelayedTopics(hub.relay('A'));
  const one = member(topics);
  one.server.subscribe('x');
  await topics.ready();
  const buffer = Buffer.from('abc');
  const sent = topics.publish('x', buffer);
  buffer.fill(0);
  await sent;
  await settle();
  t.same(one.got, ['bytes:616263']);
  one.server.terminate();
});

t.test('except: left out in its own process only; its mark is dropped when the publish fails or the topic is left', async (t) => {
  const hub = new Hub();
  const a = new RelayedTopics(hub.relay('A'));
  const b = new RelayedTopics(hub.relay('B'));
  const [sender, neighbour, far] = [member(a), member(a), member(b)];
  for (const { server } of [sender, neighbour, far]) server.subscribe('room');
  await Promise.all([a.ready(), b.ready()]);
  await a.publish('room', 'hi', { except: sender.server });
  await a.publish('room', 'to all');
  await a.publish('room', 'not a member', { except: member(a).server });
  await settle();
  t.same(sender.got, ['to all', 'not a member']);
  t.same(neighbour.got, ['hi', 'to all', 'not a member']);
  t.same(far.got, ['hi', 'to all', 'not a member']);
  const marks = (topics: RelayedTopics<unknown>) => (topics as unknown as { excepted: Map<string, unknown> }).excepted.size;
  hub.failPublish = true;
  await t.rejects(a.publish('room', 'lost', { except: sender.server }), /relay down/);
  t.equal(marks(a), 0, 'a failed publish leaves no mark');
  hub.failPublish = false;
  // A mark whose message never comes back: the topic is left before.
  const relay = hub.followers.get('room')!;
  hub.followers.delete('room');
  await a.publish('room', 'nowhere', { except: sender.server });
  t.equal(marks(a), 1);
  for (const { server } of [sender, neighbour]) server.terminate();
  await settle();
  t.equal(marks(a), 0, 'leaving the topic drops its marks');
  hub.followers.set('room', relay);
  far.server.terminate();
});

t.test('ready() waits for follows, also one that fails; a topic must be a string', async (t) => {
  const hub = new Hub();
  hub.failFollow = true;
  const topics = new RelayedTopics(hub.relay('A'));
  const one = member(topics);
  one.server.subscribe('x');
  await topics.ready();
  t.pass('a failed follow does not hang ready()');
  await t.rejects(topics.publish(42 as unknown as string, 'x'), TypeError);
  one.server.terminate();
});

t.test('canSharePort: reusePort for UDP came with Node 22.12 and 23.1', async (t) => {
  t.same(['20.19.0', '22.11.0', '22.12.0', '23.0.0', '23.1.0', '24.0.0'].map((version) => canSharePort(version)), [false, false, true, false, true, true]);
  t.equal(typeof canSharePort(), 'boolean');
});

t.test('the slow-receiver policy stays per connection, in the process that delivers', async (t) => {
  const hub = new Hub();
  const topics = new RelayedTopics(hub.relay('A'), { maxBufferedAmount: 0, slowReceivers: 'close' });
  const [slow, fine] = [member(topics), member(topics)];
  slow.server.subscribe('feed');
  fine.server.subscribe('feed');
  await topics.ready();
  slow.server.send('anything buffered is too much here');
  const ended = new Promise<number>((resolve) => slow.client.once('close', ({ code }) => resolve(code)));
  await topics.publish('feed', 'tick');
  t.equal(await ended, 1008, 'the one with a backlog is closed');
  await settle();
  t.same(fine.got, ['tick'], 'the other got it');
  fine.server.terminate();
});
