import { SEVERITIES, type Severity, type Trend } from '../api/types.js';
import type { LineSeries } from '../ui/chart-data.js';
import { SEVERITY_LABEL } from '../ui/Severity.js';

/** Each severity's line is told apart by its dash, not only its color. */
export const TREND_DASH: Record<Severity, number[]> = { critical: [], high: [8, 3], medium: [3, 3], low: [1, 3], info: [10, 3, 2, 3] };

/** Open issues per day, one line per severity in the severity's color and dash. */
export function severitySeries(trend: Trend): LineSeries[] {
  return SEVERITIES.map((s) => ({ label: SEVERITY_LABEL[s], color: `--sev-${s}`, dash: TREND_DASH[s], values: trend.points.map((p) => p[s]) }));
}

/** Open issues at the first and the last day, to say in words where the trend went. */
export function trendChange(trend: Trend): { from: number; to: number } | null {
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  if (!first || !last) return null;
  return { from: first.total, to: last.total };
}
