import { describe, expect, it } from 'vitest';
import { emptyCounts, type SeverityCounts } from '../domain/severity.js';
import { percentages } from './percentages.js';

const counts = (c: Partial<SeverityCounts>): SeverityCounts => {
  const all = { ...emptyCounts(), ...c };
  return { ...all, total: all.critical + all.high + all.medium + all.low + all.info };
};
const sum = (p: Record<string, number>) => Object.values(p).reduce((a, b) => a + b, 0);

describe('percentages', () => {
  it('is all zero without issues', () => {
    expect(percentages(emptyCounts())).toEqual({ critical: 0, high: 0, medium: 0, low: 0, info: 0 });
  });

  it('sums to exactly 100 when thirds do not divide evenly', () => {
    const p = percentages(counts({ critical: 1, high: 1, medium: 1 }));
    expect(p).toEqual({ critical: 34, high: 33, medium: 33, low: 0, info: 0 });
  });

  it('never rounds a level that has issues down to 0%', () => {
    const p = percentages(counts({ critical: 1, low: 999 }));
    expect(p).toEqual({ critical: 1, high: 0, medium: 0, low: 99, info: 0 });
  });

  it.each([
    [{ critical: 3, high: 7, medium: 11, low: 13, info: 17 }],
    [{ high: 2, medium: 2, low: 2 }],
    [{ critical: 1, high: 1, medium: 1, low: 1, info: 996 }],
    [{ info: 5 }],
  ])('sums to 100 for %j', (c) => {
    expect(sum(percentages(counts(c)))).toBe(100);
  });
});
