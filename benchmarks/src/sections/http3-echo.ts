/**
 * Section 5, HTTP/3 against HTTP/1.1: wstack's WebSocket echo over both,
 * wstack's own clients on both (`connect` of @wstack/http3 and of
 * @wstack/http1), one server process serving both (serve-h3.ts,
 * `wstack-h1h3`), measured in the suite's paired windows. A second set of
 * HTTP/1.1 clients on the same server is the control: its ratio to the
 * first is the noise of the run.
 */
import type { RunConfig } from '../lib/config.js';
import { wstackH1Client, wstackH3Client } from '../lib/echo-clients.js';
import type { EchoFigures } from '../lib/echo-load.js';
import { count, fixed, ratio, sizeName } from '../lib/format.js';
import type { Http3Module, Http3SessionPool } from '../lib/http3-module.js';
import { runInterleaved, type EchoCase, type Subject } from '../lib/interleaved.js';
import type { Bar, Table, Target } from '../lib/report-types.js';
import type { ServerChild } from '../lib/server-child.js';
import { LOOPBACK_DATAGRAM_SIZE, type H3Detail } from '../servers/serve-h3.js';

const H1 = 'HTTP/1.1';
const CONTROL = 'HTTP/1.1, second client set';
/** The subject the targets judge: one QUIC connection per WebSocket, as HTTP/1.1 has one TCP connection each, at the default datagram size. */
export const H3 = 'HTTP/3';
const H3_MUX = 'HTTP/3, all on one QUIC connection';
const H3_LOOPBACK = `HTTP/3, ${sizeName(LOOPBACK_DATAGRAM_SIZE)} datagrams`;

const CASES: [connections: number, size: number][] = [[1, 16], [1, 1024], [16, 16], [16, 1024], [1, 65536]];
export const caseName = (connections: number, size: number) => `${connections} × ${sizeName(size)}`;

export const ECHO_GOAL = 'HTTP/3 echo ≥ 0.5× HTTP/1.1 echo (msg/s)';
export const CPU_GOAL = 'server CPU per message over HTTP/3 ≤ 2× HTTP/1.1\'s';

export interface Http3Echo {
  table: Table;
  notes: string[];
  targets: Target[];
  bars: Bar[];
  /** Median figures of the judged HTTP/3 subject, by case name. */
  h3: Map<string, EchoFigures>;
}

function subjects(http3: Http3Module): Subject[] {
  const detail = (server: ServerChild) => JSON.parse(server.detail ?? '{}') as H3Detail;
  const shared = 'h1h3';
  const h3 = (server: ServerChild, port: number, pool: () => Http3SessionPool) => wstackH3Client(http3, { port, pin: detail(server).pin }, pool);
  return [
    { name: H1, kind: 'wstack-h1h3', shared, open: () => wstackH1Client },
    { name: CONTROL, kind: 'wstack-h1h3', shared, open: () => wstackH1Client },
    { name: H3, kind: 'wstack-h1h3', shared, open: (server) => h3(server, detail(server).h3Port, () => new http3.SessionPool()) },
    {
      name: H3_MUX,
      kind: 'wstack-h1h3',
      shared,
      open: (server) => {
        const pool = new http3.SessionPool();
        return h3(server, detail(server).h3Port, () => pool);
      },
      // With one WebSocket it is the HTTP/3 subject again.
      runs: (echoCase) => echoCase.clients > 1,
    },
    {
      name: H3_LOOPBACK,
      kind: 'wstack-h1h3',
      shared,
      open: (server) => h3(server, detail(server).h3LoopbackPort!, () => new http3.SessionPool({ maxUdpPayloadSize: LOOPBACK_DATAGRAM_SIZE })),
    },
  ];
}

export async function http3Echo(config: RunConfig, http3: Http3Module): Promise<Http3Echo> {
  const all = subjects(http3);
  const cases: EchoCase[] = CASES.map(([clients, size]) => ({ name: caseName(clients, size), clients, payload: Buffer.alloc(size, 0x78), binary: true }));
  const results = await runInterleaved(all, cases, config);
  const figures = (subject: string, name: string) => results.figures.get(`${subject}/${name}`);
  const over = (subject: string, name: string, pick: (f: EchoFigures) => number) => results.ratio(`${subject}/${name}`, `${H1}/${name}`, pick);
  const rate = (f: EchoFigures) => f.messagesPerSecond;
  const cpu = (f: EchoFigures) => f.cpuMicrosPerMessage;
  const rows: string[][] = [];
  for (const { name } of cases) {
    for (const { name: subject } of all) {
      const f = figures(subject, name);
      if (f === undefined) continue;
      const against = (pick: (f: EchoFigures) => number) => (subject === H1 ? '' : ratio(over(subject, name, pick)));
      rows.push([
        name, subject,
        count(f.messagesPerSecond), against(rate),
        fixed(f.cpuMicrosPerMessage, 2), against(cpu),
        fixed(f.clientCpuMicrosPerMessage, 2), fixed(f.p50Ms, 3), fixed(f.p99Ms, 3),
      ]);
    }
  }
  const ratios = (subject: string, pick: (f: EchoFigures) => number) =>
    cases.filter((c) => figures(subject, c.name) !== undefined).map((c) => ({ name: c.name, value: over(subject, c.name, pick) }));
  const listed = (list: { name: string; value: number }[]) => list.map((r) => `${r.name} ${ratio(r.value)}`).join(', ');
  const lowest = (list: { name: string; value: number }[]) => list.reduce((a, b) => (b.value < a.value ? b : a));
  const highest = (list: { name: string; value: number }[]) => list.reduce((a, b) => (b.value > a.value ? b : a));
  const echo = ratios(H3, rate);
  const serverCpu = ratios(H3, cpu);
  const control = ratios(CONTROL, rate);
  const controlCpu = ratios(CONTROL, cpu);
  const worstEcho = lowest(echo);
  const worstCpu = highest(serverCpu);
  const targets: Target[] = [
    { goal: ECHO_GOAL, measured: `worst ${ratio(worstEcho.value)} (${worstEcho.name}); ${listed(echo)}`, met: worstEcho.value >= 0.5 },
    { goal: CPU_GOAL, measured: `worst ${ratio(worstCpu.value)} (${worstCpu.name}); ${listed(serverCpu)}`, met: worstCpu.value <= 2 },
  ];
  const span = (list: { value: number }[]) => `${ratio(Math.min(...list.map((r) => r.value)))} to ${ratio(Math.max(...list.map((r) => r.value)))}`;
  const notes = [
    `Control: "${CONTROL}" is a second set of HTTP/1.1 WebSockets on the same server, measured like the others. On a quiet machine its ratios to HTTP/1.1 would be 1.00×; here msg/s spans ${span(control)} and server CPU per message ${span(controlCpu)} over the cases, and every ratio in the table carries that much noise.`,
    `The targets judge "${H3}" (one QUIC connection per WebSocket, ${http3.DEFAULT_MAX_UDP_PAYLOAD_SIZE} B datagrams). The other HTTP/3 rows, against HTTP/1.1: all WebSockets on one QUIC connection, msg/s ${listed(ratios(H3_MUX, rate))}, server CPU ${listed(ratios(H3_MUX, cpu))}; ${sizeName(LOOPBACK_DATAGRAM_SIZE)} datagrams, msg/s ${listed(ratios(H3_LOOPBACK, rate))}, server CPU ${listed(ratios(H3_LOOPBACK, cpu))}.`,
  ];
  const table: Table = {
    caption: `HTTP/3 against HTTP/1.1: binary echo, N WebSockets, one message in flight each; one server process serves both (an @wstack/http1 and two @wstack/http3 WebSocketServers), driven by wstack's own clients (\`connect\` of @wstack/http1 and of @wstack/http3). "${H3}": a SessionPool, so a QUIC connection, per WebSocket, with the default datagram size (max_udp_payload_size ${http3.DEFAULT_MAX_UDP_PAYLOAD_SIZE} B) at both ends; "${H3_MUX}": one pool for the N WebSockets (16-connection cases only); "${H3_LOOPBACK}": a QUIC connection per WebSocket to the second HTTP/3 server, both ends at max_udp_payload_size ${LOOPBACK_DATAGRAM_SIZE} B. Server CPU is the server process's own (user + system) per echoed message, client CPU the load generator's; median of ${config.rounds} interleaved round(s), each ratio the median of the rounds' own ratios (the windows of one round run one after the other)`,
    head: ['case', 'carrier', 'msg/s', 'msg/s ÷ HTTP/1.1', 'server CPU µs/msg', 'server CPU ÷ HTTP/1.1', 'client CPU µs/msg', 'p50 ms', 'p99 ms'],
    rows,
  };
  const bars = echo.map((r) => ({ label: `h3÷h1 ${r.name}`, value: r.value }));
  const h3 = new Map(cases.flatMap((c) => (figures(H3, c.name) ? [[c.name, figures(H3, c.name)!] as const] : [])));
  return { table, notes, targets, bars, h3 };
}
