import { describe, expect, it } from 'vitest';
import { formatCount, formatDate, formatDay, formatDateTime, formatFileLocation, formatLines, formatPercent, formatRelative, formatScore, formatVersions } from './format.js';

describe('formatting', () => {
  it('shows percentages whole, and never 0% for a severity that has issues', () => {
    expect(formatPercent(43, 3)).toBe('43%');
    expect(formatPercent(0, 0)).toBe('0%');
    expect(formatPercent(0, 1)).toBe('<1%');
    expect(formatPercent(100, 7)).toBe('100%');
  });

  it('shows scores and pass rates with the one decimal the API gives, and none when whole', () => {
    expect(formatScore(45.5)).toBe('45.5%');
    expect(formatScore(100)).toBe('100%');
    expect(formatScore(0)).toBe('0%');
    expect(formatScore(66.7)).toBe('66.7%');
  });

  it('groups thousands', () => {
    expect(formatCount(10000)).toBe('10,000');
  });

  it('writes dates in one unambiguous form', () => {
    expect(formatDateTime('2026-11-20T09:15:00.000Z', 'UTC')).toBe('20 Nov 2026, 09:15');
    expect(formatDate('2026-11-20T23:15:00.000Z', 'UTC')).toBe('20 Nov 2026');
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it('says how long ago', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(formatRelative('2026-11-20T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-11-20T12:00:30Z', now)).toBe('just now');
    expect(formatRelative('2026-11-20T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-11-20T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatRelative('2026-11-19T10:00:00Z', now)).toBe('yesterday');
    expect(formatRelative('2026-11-01T10:00:00Z', now)).toBe('2 weeks ago');
    expect(formatRelative('2025-10-01T10:00:00Z', now)).toBe('last year');
  });

  it('writes lines, places and versions', () => {
    expect(formatLines(10, 12)).toBe('L10-12');
    expect(formatLines(10, 10)).toBe('L10');
    expect(formatLines(10, null)).toBe('L10');
    expect(formatLines(null, null)).toBe('');
    expect(formatFileLocation('src/pay.ts', 10, 12)).toBe('src/pay.ts:10-12');
    expect(formatFileLocation('src/pay.ts', null, null)).toBe('src/pay.ts');
    expect(formatVersions('4.17.20', '4.17.21')).toBe('4.17.20 → 4.17.21');
    expect(formatVersions('4.17.20', null)).toBe('4.17.20');
    expect(formatVersions(null, '2.0')).toBe('fixed in 2.0');
    expect(formatVersions(null, null)).toBe('');
  });

  it('writes an API day the same way everywhere, whatever the time zone', () => {
    expect(formatDay('2026-11-20')).toBe('20 Nov 2026');
    expect(formatDay('2026-01-01')).toBe('1 Jan 2026');
    expect(formatDay('not a day')).toBe('not a day');
  });
});
