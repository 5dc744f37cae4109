/** The results file: machine, targets with met / not met, then each section's tables and notes. */
import type { Machine } from './machine.js';
import type { SectionResult } from './report-types.js';

const mark = (met: boolean | null) => (met === null ? '— not measured' : met ? '✅ met' : '❌ not met');

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function renderMarkdown(machine: Machine, quick: boolean, sections: SectionResult[], seconds: number, chartFile: string): string {
  const out: string[] = [];
  out.push('# wstack benchmark results', '');
  out.push(`Run \`pnpm bench${quick ? ' --quick' : ''}\` on ${machine.date}, ${seconds.toFixed(0)} s${quick ? ' (quick: short windows, fewer connections — figures are indicative only)' : ''}.`, '');
  out.push(table(['machine', ''], [
    ['CPU', machine.cpu],
    ['cores', String(machine.cores)],
    ['RAM', `${machine.ramGiB.toFixed(1)} GiB`],
    ['Node', machine.node],
    ['platform', machine.platform],
    ['load average at start (1, 5, 15 min)', machine.loadAtStart.map((l) => l.toFixed(2)).join(', ')],
    ['open files limit', machine.fdLimit],
  ]), '');
  out.push('## Targets', '');
  out.push(table(['section', 'target', 'measured', 'status'], sections.flatMap((s) => s.targets.map((t) => [s.title, t.goal, t.measured, mark(t.met)]))), '');
  out.push(`![chart](${chartFile})`, '');
  for (const section of sections) {
    out.push(`## ${section.title}`, '');
    for (const note of section.notes) out.push(note, '');
    for (const t of section.tables) out.push(`${t.caption}:`, '', table(t.head, t.rows), '');
  }
  return out.join('\n');
}
