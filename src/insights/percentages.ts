import { SEVERITIES, type Severity, type SeverityCounts } from '../domain/severity.js';

export type SeverityPercentages = Record<Severity, number>;

/**
 * Each severity's share of the total, in whole percent, summing to exactly 100 (or all 0 when
 * there are no issues): the largest-remainder method, ties going to the more severe level, so a
 * single critical among many lows never rounds away to 0%.
 */
export function percentages(counts: SeverityCounts): SeverityPercentages {
  const result = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  if (counts.total === 0) return result;
  const exact = SEVERITIES.map((s) => ({ severity: s, value: (counts[s] * 100) / counts.total }));
  let given = 0;
  for (const { severity, value } of exact) {
    result[severity] = Math.floor(value);
    given += result[severity];
  }
  const byRemainder = exact
    .map((e, order) => ({ ...e, remainder: e.value - Math.floor(e.value), order }))
    .filter((e) => counts[e.severity] > 0)
    .sort((a, b) => b.remainder - a.remainder || a.order - b.order);
  for (let i = 0; given < 100 && i < byRemainder.length; i++, given++) result[(byRemainder[i] as (typeof byRemainder)[number]).severity]++;
  // A level with issues but a share under 1% still shows 1%, taken from the largest share.
  for (const { severity } of byRemainder) {
    if (result[severity] === 0) {
      const largest = SEVERITIES.reduce((a, b) => (result[b] > result[a] ? b : a));
      result[largest]--;
      result[severity]++;
    }
  }
  return result;
}
