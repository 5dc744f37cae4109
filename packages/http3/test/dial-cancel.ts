/** A QUIC handshake cancelled before its socket connected still settles (it rejected never). */
import t from 'tap';
import { dial } from '../src/quic/client-endpoint.js';
import { clientConfig } from '../src/quic/config.js';
import { quicSettings } from '../src/tuning.js';

t.test('dial cancelled at once rejects', async (t) => {
  const settings = quicSettings({});
  const dialing = dial({ host: '127.0.0.1', port: 9, serverName: undefined, config: clientConfig(settings, { verifyPeer: false }), maxDatagramSize: 1350, keepAliveInterval: 0, udpBufferSize: 0 });
  dialing.cancel('changed my mind');
  const outcome = await Promise.race([dialing.then(() => 'connected', (error: Error) => error.message), new Promise((resolve) => setTimeout(() => resolve('still pending'), 3000))]);
  t.match(outcome, /cancelled: changed my mind/);
});
