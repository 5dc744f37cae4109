import t from 'tap';
import { runConformanceSuite } from '@wstack/testkit';
import { http1Transport } from './http1-transport.js';

runConformanceSuite(t, http1Transport(false, true));
