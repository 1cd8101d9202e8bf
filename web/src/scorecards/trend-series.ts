import type { ScorecardTrend } from '../api/types.js';
import type { LineSeries } from '../ui/chart-data.js';

type Point = ScorecardTrend['points'][number];

/** The pass rate and the average score per day; a day on which no entity was scored is a gap, not 0. */
export function scorecardSeries(trend: ScorecardTrend): LineSeries[] {
  return [
    { label: 'Pass rate', color: '--pass', dash: [], values: trend.points.map((p) => p.passRate) },
    { label: 'Average score', color: '--accent', dash: [8, 3], values: trend.points.map((p) => p.averageScore) },
  ];
}

/** The first and the last day on which some entity had a score, to say in words where the trend went; null when none had. */
export function scoredEnds(trend: ScorecardTrend): { first: Point; last: Point } | null {
  const scored = trend.points.filter((p) => p.scored > 0);
  const first = scored[0];
  const last = scored[scored.length - 1];
  return first && last ? { first, last } : null;
}
