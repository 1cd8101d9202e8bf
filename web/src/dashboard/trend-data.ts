import { SEVERITIES, type Severity, type Trend } from '../api/types.js';
import type { LineSeries } from '../ui/chart-data.js';
import { SEVERITY_LABEL } from '../ui/Severity.js';

/** Each severity's line is told apart by its dash, not only its color. */
export const TREND_DASH: Record<Severity, number[]> = { critical: [], high: [8, 3], medium: [3, 3], low: [1, 3], info: [10, 3, 2, 3] };

/** Open issues per day, one line per severity in the severity's color and dash; a day without data is a gap, not 0. */
export function severitySeries(trend: Trend): LineSeries[] {
  return SEVERITIES.map((s) => ({ label: SEVERITY_LABEL[s], color: `--sev-${s}`, dash: TREND_DASH[s], values: trend.points.map((p) => (p.withData > 0 ? p[s] : null)) }));
}

/** Open issues at the first day with data and at the last day, to say in words where the trend went. */
export function trendChange(trend: Trend): { from: number; fromDate: string; to: number; toDate: string } | null {
  const first = trend.points.find((p) => p.withData > 0);
  const last = trend.points[trend.points.length - 1];
  if (!first || !last) return null;
  return { from: first.total, fromDate: first.date, to: last.total, toDate: last.date };
}
