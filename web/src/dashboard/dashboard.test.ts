import { describe, expect, it } from 'vitest';
import { worstFirst } from './rollups.js';
import { severitySeries, TREND_DASH, trendChange } from './trend-data.js';

const counts = (critical: number, high: number, total = critical + high) => ({ critical, high, medium: 0, low: 0, info: 0, total });

describe('dashboard', () => {
  it('puts the owners with most criticals first, then most highs, then most entities', () => {
    const rows = [
      { owner: 'a', entities: 9, counts: counts(0, 5) },
      { owner: 'b', entities: 1, counts: counts(2, 0) },
      { owner: 'c', entities: 2, counts: counts(2, 1) },
      { owner: 'd', entities: 4, counts: counts(0, 5) },
    ];
    expect(worstFirst(rows).map((r) => r.owner)).toEqual(['c', 'b', 'a', 'd']);
    expect(rows.map((r) => r.owner)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives the trend to the chart as one line per severity, in its color', () => {
    const trend = {
      points: [
        { date: '2026-11-18', withData: 0, critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 },
        { date: '2026-11-19', withData: 2, critical: 1, high: 2, medium: 3, low: 4, info: 5, total: 15 },
        { date: '2026-11-20', withData: 2, critical: 0, high: 2, medium: 3, low: 4, info: 5, total: 14 },
      ],
    };
    const series = severitySeries(trend);
    // A day before any data is a gap, not a 0.
    expect(series.map((s) => [s.label, s.color, s.values])).toEqual([
      ['Critical', '--sev-critical', [null, 1, 0]],
      ['High', '--sev-high', [null, 2, 2]],
      ['Medium', '--sev-medium', [null, 3, 3]],
      ['Low', '--sev-low', [null, 4, 4]],
      ['Info', '--sev-info', [null, 5, 5]],
    ]);
    expect(series[1]?.dash).toEqual(TREND_DASH.high);
    expect(trendChange(trend)).toEqual({ from: 15, fromDate: '2026-11-19', to: 14, toDate: '2026-11-20' });
    expect(trendChange({ points: [] })).toBeNull();
  });

  it('draws every severity with its own dash, so lines differ by more than color', () => {
    const dashes = Object.values(TREND_DASH).map((d) => d.join(','));
    expect(new Set(dashes).size).toBe(5);
  });
});
