/** Number formatting and small statistics for the report. */

export function fixed(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toFixed(digits);
}

/** Thousands separated by a thin space, for counts and rates. */
export function count(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return Math.round(value).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a';
}

export function sizeName(bytes: number): string {
  if (bytes >= 1048576) return `${bytes / 1048576} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** The q-quantile (0..1) of unsorted samples; NaN without samples. */
export function quantile(samples: Float64Array | number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
