import t from 'tap';
import { runConformanceSuite } from '@wstack/testkit';
import { h3Transport } from './h3-transport.js';

runConformanceSuite(t, h3Transport(true));
