/**
 * Section 1: the codec. Parse and serialize against ws's Receiver and Sender
 * with and without bufferutil, and the ceilings (Buffer.copy, a plain XOR
 * loop). Figures are GB/s of payload.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../lib/config.js';
import { count, fixed, ratio, sizeName } from '../lib/format.js';
import { step } from '../lib/progress.js';
import type { SectionResult } from '../lib/report-types.js';
import type { CodecCase } from './codec-worker.js';

const worker = fileURLToPath(new URL('./codec-worker.js', import.meta.url));
const WITH_ADDON = ['wstack', 'ws + bufferutil', 'ceilings'];
const WITHOUT_ADDON = ['wstack (no addon)', 'ws (JS)'];
const COLUMNS = ['wstack', 'wstack (no addon)', 'ws + bufferutil', 'ws (JS)'];
const NO_ADDON = { WS_NO_BUFFER_UTIL: '1', WSTACK_NO_NATIVE: '1' };
const ECHO_SUBJECTS = ['wstack', 'ws + bufferutil', 'raw floor', 'wstack (no addon)', 'ws (JS)'];

function measure(subjects: string[], budgetMs: number, env: NodeJS.ProcessEnv, part: 'codec' | 'echo' = 'codec'): Promise<CodecCase[]> {
  return new Promise((resolve, reject) => {
    const child = fork(worker, [String(budgetMs), subjects.join(','), part], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let cases: CodecCase[] | undefined;
    child.once('message', (message: CodecCase[]) => (cases = message));
    child.once('exit', (code) => (cases ? resolve(cases) : reject(new Error(`codec worker exited with ${code}`))));
  });
}

export async function codecSection(config: RunConfig): Promise<SectionResult> {
  step('with bufferutil installed');
  const native = await measure(WITH_ADDON, config.codecBudgetMs, {});
  step('without native addons');
  const plain = await measure(WITHOUT_ADDON, config.codecBudgetMs, NO_ADDON);
  const all = [...native, ...plain];
  for (const [subjects, env] of [[WITH_ADDON, {}], [WITHOUT_ADDON, NO_ADDON]] as const) {
    for (const subject of subjects) {
      step(`echo without I/O: ${subject}`);
      all.push(...(await measure([subject], config.codecBudgetMs, env, 'echo')));
    }
  }
  const get = (name: string, subject: string) => all.find((c) => c.name === name && c.subject === subject)?.gbPerSecond ?? NaN;
  const names = [...new Set(all.filter((c) => c.name.startsWith('parse/') || c.name.startsWith('serialize/')).map((c) => c.name))];
  const rows = names.map((name) => {
    const [operation, ...rest] = name.split('/');
    const size = Number(rest.pop());
    const figures = COLUMNS.map((subject) => get(name, subject));
    return [operation!, rest.join(', '), sizeName(size), ...figures.map((f) => fixed(f)), ratio(figures[0]! / figures[2]!), ratio(figures[1]! / figures[3]!)];
  });
  const ceilings = [16, 1024, 65536, 1048576].map((size) => [sizeName(size), fixed(get(`ceiling/copy/${size}`, 'Buffer.copy')), fixed(get(`ceiling/xor/${size}`, 'plain XOR loop'))]);
  const echoNs = (size: number, subject: string) => size / get(`echo/${size}`, subject);
  const echoSizes = [...new Set(all.filter((c) => c.name.startsWith('echo/')).map((c) => Number(c.name.slice(5))))];
  const echoRows = echoSizes.map((size) => {
    const [ours, theirs, floor, oursPlain, theirsPlain] = ECHO_SUBJECTS.map((subject) => echoNs(size, subject)) as [number, number, number, number, number];
    return [sizeName(size), count(ours), count(theirs), count(floor), ratio(ours / theirs), count(oursPlain), count(theirsPlain)];
  });
  const key = 'parse/one frame per chunk/masked/65536';
  const noAddon = get(key, 'wstack (no addon)');
  const withAddon = get(key, 'wstack');
  const wsNative = get(key, 'ws + bufferutil');
  const bars = names
    .filter((n) => n.endsWith('/65536') || n.endsWith('/1048576') || n.endsWith('/16'))
    .map((name) => ({ label: name.replace('parse/', 'p ').replace('serialize/', 's ').replace('one frame per chunk', '1/chunk').replace('many frames per 64 KiB chunk', 'packed').replace('one frame split across 64 KiB chunks', 'split').replace(/\/(\d+)$/, (_m, s: string) => ` ${sizeName(Number(s))}`).replace(/\//g, ' '), value: get(name, 'wstack') / get(name, 'ws + bufferutil') }));
  return {
    title: '1. Codec',
    tables: [
      { caption: 'GB/s of payload (10^9 B/s), one thread, best of three windows; ratios are wstack ÷ ws, with and without native addons', head: ['operation', 'case', 'size', ...COLUMNS, 'wstack ÷ ws+bufferutil', 'no addon: wstack ÷ ws JS'], rows },
      { caption: 'Ceilings, GB/s: Buffer.copy (for unmasked payloads), a plain byte XOR loop (for masked ones)', head: ['size', 'Buffer.copy', 'plain XOR loop'], rows: ceilings },
      {
        caption: 'A server\'s echo without I/O, ns per message (best of three windows; each subject in a process of its own, as a server is): one masked binary frame in, as a socket would deliver it, the answer out to a transport that drops it. wstack\'s WebSocketConnection and ws\'s WebSocket (as their servers make them); the raw floor finds its 4-byte length prefix. This is the part of section 2\'s server CPU per message that the code decides; the rest is the system calls and Node\'s socket, the same for all three',
        head: ['size', 'wstack', 'ws + bufferutil', 'raw floor', 'wstack ÷ ws', 'wstack (no addon)', 'ws (JS)'],
        rows: echoRows,
      },
    ],
    notes: [
      'Parse = wstack\'s Protocol.receiveData + eventsReceived (frames and message assembly) against ws\'s Receiver.write; binary frames. Serialize = wstack\'s encodeFrame against ws\'s Sender.frame with readOnly (neither writes into the caller\'s buffer, so a masked frame is a fresh copy in both).',
      '"no addon" runs in a process with WS_NO_BUFFER_UTIL=1 and WSTACK_NO_NATIVE=1: ws uses its JavaScript masking, wstack its WebAssembly SIMD kernel.',
    ],
    targets: [
      { goal: 'masked parse of 64 KiB frames ≥ 10 GB/s with no native addon', measured: `${fixed(noAddon)} GB/s`, met: noAddon >= 10 },
      { goal: 'masked parse of 64 KiB frames ≥ 0.9× ws + bufferutil when bufferutil is installed', measured: `${fixed(withAddon)} vs ${fixed(wsNative)} GB/s = ${ratio(withAddon / wsNative)}`, met: withAddon / wsNative >= 0.9 },
    ],
    chart: { title: 'Codec: wstack ÷ ws + bufferutil, GB/s (higher is better)', bars, higherIsBetter: true },
  };
}
