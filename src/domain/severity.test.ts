import { describe, expect, it } from 'vitest';
import { maxSeverity, severityFromLabel, severityFromRank, severityFromScore, severityRank } from './severity.js';

describe('severityFromScore', () => {
  it.each([
    [10, 'critical'], [9.0, 'critical'], [8.9, 'high'], [7.0, 'high'], [6.9, 'medium'], [4.0, 'medium'],
    [3.9, 'low'], [0.1, 'low'], [0, 'info'],
  ] as const)('%s is %s', (score, expected) => {
    expect(severityFromScore(score)).toBe(expected);
  });

  it('has no severity for a score outside 0-10 or not a number', () => {
    expect(severityFromScore(-1)).toBeUndefined();
    expect(severityFromScore(10.5)).toBeUndefined();
    expect(severityFromScore(Number.NaN)).toBeUndefined();
  });
});

describe('severityFromLabel', () => {
  it.each([
    ['CRITICAL', 'critical'], ['Critical', 'critical'], ['HIGH', 'high'], ['high', 'high'], ['MEDIUM', 'medium'],
    ['moderate', 'medium'], ['LOW', 'low'], ['UNKNOWN', 'info'], ['Negligible', 'info'], ['none', 'info'], ['', 'info'],
  ] as const)('%s is %s', (label, expected) => {
    expect(severityFromLabel(label)).toBe(expected);
  });

  it('treats a missing label as info and an unknown one as unknown', () => {
    expect(severityFromLabel(undefined)).toBe('info');
    expect(severityFromLabel(null)).toBe('info');
    expect(severityFromLabel('severe-ish')).toBeUndefined();
  });
});

describe('ranks', () => {
  it('orders the levels and round-trips', () => {
    expect(severityRank('critical')).toBeGreaterThan(severityRank('high'));
    expect(severityRank('low')).toBeGreaterThan(severityRank('info'));
    for (const s of ['critical', 'high', 'medium', 'low', 'info'] as const) expect(severityFromRank(severityRank(s))).toBe(s);
    expect(() => severityFromRank(7)).toThrow(RangeError);
  });

  it('picks the worse of two', () => {
    expect(maxSeverity('low', 'high')).toBe('high');
    expect(maxSeverity('critical', 'medium')).toBe('critical');
  });
});
