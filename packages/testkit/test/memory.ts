import t from 'tap';
import { memoryTransport, runConformanceSuite } from '../src/index.js';

runConformanceSuite(t, memoryTransport());
runConformanceSuite(t, memoryTransport({ transport: 'h2', endsAfterCloseFrame: true }));
