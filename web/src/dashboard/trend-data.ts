import { SEVERITIES, type Severity, type Trend } from '../api/types.js';

/** The trend as uPlot's aligned columns: x in seconds since the epoch (each day at noon UTC), then one column per severity. */
export function trendColumns(trend: Trend): [number[], ...number[][]] {
  const x = trend.points.map((p) => Date.parse(`${p.date}T12:00:00Z`) / 1000);
  return [x, ...SEVERITIES.map((s) => trend.points.map((p) => p[s]))];
}

/** Each severity's line is told apart by its dash, not only its color. */
export const TREND_DASH: Record<Severity, number[]> = { critical: [], high: [8, 3], medium: [3, 3], low: [1, 3], info: [10, 3, 2, 3] };

/** Open issues at the first and the last day, to say in words where the trend went. */
export function trendChange(trend: Trend): { from: number; to: number } | null {
  const first = trend.points[0];
  const last = trend.points[trend.points.length - 1];
  if (!first || !last) return null;
  return { from: first.total, to: last.total };
}
