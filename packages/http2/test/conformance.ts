import t from 'tap';
import { runConformanceSuite } from '@wstack/testkit';
import { h2Transport } from './h2-transport.js';

runConformanceSuite(t, h2Transport(false));
runConformanceSuite(t, h2Transport(true));
