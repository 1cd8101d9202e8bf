import { describe, expect, it } from 'vitest';
import { breakdownLabel, percentagesOf } from './SeverityBreakdown.js';

const counts = (critical: number, high: number, medium: number, low: number, info: number) => ({ critical, high, medium, low, info, total: critical + high + medium + low + info });

describe('severity breakdown', () => {
  it('computes whole percentages that add up to 100', () => {
    expect(percentagesOf(counts(1, 1, 1, 0, 0))).toEqual({ critical: 34, high: 33, medium: 33, low: 0, info: 0 });
    expect(percentagesOf(counts(2, 3, 1, 0, 1))).toEqual({ critical: 29, high: 43, medium: 14, low: 0, info: 14 });
    expect(percentagesOf(counts(0, 0, 0, 0, 0))).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
    for (const c of [counts(1, 998, 0, 0, 1), counts(7, 13, 29, 3, 1), counts(1, 1, 1, 1, 1)]) {
      const p = percentagesOf(c);
      expect(p.critical + p.high + p.medium + p.low + p.info).toBe(100);
    }
  });

  it('describes the bar in words, showing <1% for a severity that has issues', () => {
    const c = counts(1, 998, 0, 0, 1);
    expect(breakdownLabel(c, percentagesOf(c))).toBe('1 critical (<1%), 998 high (100%), 0 medium (0%), 0 low (0%), 1 info (<1%)');
  });
});
