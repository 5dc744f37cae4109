import t from 'tap';
import { memoryTransport, runConformanceSuite } from '../src/index.js';

// permessage-deflate with no context kept by either side and the smallest windows (8 is zlib's special case).
runConformanceSuite(t, memoryTransport({ transport: 'h3', endsAfterCloseFrame: true, deflate: { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 8, clientMaxWindowBits: 9 } }));
