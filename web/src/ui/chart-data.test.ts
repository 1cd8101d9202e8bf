import { describe, expect, it } from 'vitest';
import { chartColumns, dayColumn } from './chart-data.js';

describe('chart data', () => {
  it('puts each day at noon UTC, in seconds, so that no time zone moves it to another day', () => {
    expect(dayColumn(['2026-11-19', '2026-11-20'])).toEqual([Date.UTC(2026, 10, 19, 12) / 1000, Date.UTC(2026, 10, 20, 12) / 1000]);
  });

  it('aligns one column per series after the days, keeping a missing value as a gap', () => {
    const series = [
      { label: 'Pass rate', color: '--pass', dash: [], values: [null, 50] },
      { label: 'Average score', color: '--accent', dash: [6, 3], values: [null, 72.5] },
    ];
    expect(chartColumns(['2026-11-19', '2026-11-20'], series)).toEqual([[Date.UTC(2026, 10, 19, 12) / 1000, Date.UTC(2026, 10, 20, 12) / 1000], [null, 50], [null, 72.5]]);
  });
});
