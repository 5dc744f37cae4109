/**
 * A hand-written SVG chart: one panel per section that has bars, each bar a
 * ratio to that panel's baseline, with the baseline (1) drawn as a line.
 */
import type { SectionResult } from './report-types.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderSvg(sections: SectionResult[]): string {
  const panels = sections.flatMap((s) => (s.chart && s.chart.bars.length !== 0 ? [s.chart] : []));
  const width = 860;
  const barHeight = 16;
  const labelWidth = 170;
  const plotWidth = width - labelWidth - 90;
  const parts: string[] = [];
  let y = 20;
  for (const panel of panels) {
    const finite = panel.bars.map((b) => b.value).filter((v) => Number.isFinite(v));
    const max = Math.max(1.2, ...finite) * 1.05;
    const x = (v: number) => labelWidth + (Math.min(v, max) / max) * plotWidth;
    parts.push(`<text x="10" y="${y}" font-weight="bold">${escape(panel.title)}</text>`);
    y += 10;
    const top = y;
    for (const bar of panel.bars) {
      const value = Number.isFinite(bar.value) ? bar.value : 0;
      const good = panel.higherIsBetter ? value >= 1 : value <= 1;
      parts.push(`<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escape(bar.label)}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y + 2}" width="${(x(value) - labelWidth).toFixed(1)}" height="${barHeight - 4}" fill="${good ? '#3a8f5c' : '#c9623f'}"/>`);
      parts.push(`<text x="${(x(value) + 4).toFixed(1)}" y="${y + 12}">${Number.isFinite(bar.value) ? `${bar.value.toFixed(2)}×` : 'n/a'}</text>`);
      y += barHeight;
    }
    parts.push(`<line x1="${x(1).toFixed(1)}" y1="${top}" x2="${x(1).toFixed(1)}" y2="${y}" stroke="#333" stroke-dasharray="3,3"/>`);
    y += 26;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
