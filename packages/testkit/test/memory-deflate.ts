import t from 'tap';
import { memoryTransport, runConformanceSuite } from '../src/index.js';

// permessage-deflate with context kept both ways and full windows.
runConformanceSuite(t, memoryTransport({ deflate: { serverNoContextTakeover: false, clientNoContextTakeover: false, serverMaxWindowBits: 15, clientMaxWindowBits: 15 } }));
