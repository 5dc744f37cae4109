/** What each section hands to the report: tables, notes, targets and bars for the chart. */

export interface Table {
  caption: string;
  head: string[];
  rows: string[][];
}

/** A performance goal, printed beside the figure it is judged on. */
export interface Target {
  goal: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

/** One bar of the chart: a ratio to a baseline (1 = as good as the baseline). */
export interface Bar {
  label: string;
  value: number;
}

export interface SectionResult {
  title: string;
  tables: Table[];
  notes: string[];
  targets: Target[];
  /** A chart panel: its title and its bars, where lower is better unless `higherIsBetter`. */
  chart?: { title: string; bars: Bar[]; higherIsBetter: boolean };
}

export function notMeasured(title: string, why: string, goals: string[]): SectionResult {
  return { title, tables: [], notes: [`not measured: ${why}`], targets: goals.map((goal) => ({ goal, measured: 'not measured', met: null })) };
}
