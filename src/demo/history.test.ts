import { describe, expect, it } from 'vitest';
import { BASELINE_SCANS, FORK, OTHER_SCANS, SCAN_POINTS, type ScanPoint, scanTime, timeline } from './history.js';
import { SeededRandom } from './random.js';

const baseline = (index: number): ScanPoint => ({ variant: 'baseline', index });
const other = (index: number): ScanPoint => ({ variant: 'other', index });
const key = (items: readonly number[]) => items.join(',');

describe('timeline', () => {
  // Seeds and pool sizes beyond the demo's own, so that the guarantees hold by construction.
  const cases = Array.from({ length: 40 }, (_, seed) => [seed, 1 + (seed % 15)] as const);

  it.each(cases)('seed %i, %i items: every scan of a variant differs from the others, and no baseline scan is empty', (seed, size) => {
    const items = Array.from({ length: size }, (_, i) => i);
    const at = timeline(items, new SeededRandom(seed, 'history-test'));
    const baselineSets = Array.from({ length: BASELINE_SCANS }, (_, i) => key(at(baseline(i))));
    for (const set of baselineSets) expect(set).not.toBe('');
    // From seven items on (one only on the other variant, one that stays), every later baseline scan has a witness.
    if (size >= 7) expect(new Set(baselineSets).size).toBe(BASELINE_SCANS);
    expect(key(at(other(1)))).not.toBe(key(at(other(0))));
  });

  it('keeps an item that stays from the first baseline scan to the last', () => {
    for (let seed = 0; seed < 40; seed++) {
      const items = Array.from({ length: 5 }, (_, i) => i);
      const at = timeline(items, new SeededRandom(seed, 'stays'));
      const everywhere = items.filter((item) => Array.from({ length: BASELINE_SCANS }, (_, i) => at(baseline(i)).includes(item)).every(Boolean));
      expect(everywhere.length).toBeGreaterThan(0);
    }
  });

  it('gives the other variant what the baseline had when it forked, minus what it fixes, plus what only it has', () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    const at = timeline(items, new SeededRandom(7, 'fork'));
    const forked = new Set(at(baseline(FORK)));
    const first = at(other(0));
    const second = at(other(1));
    const onlyOther = [...first, ...second].filter((item) => !Array.from({ length: BASELINE_SCANS }, (_, i) => at(baseline(i))).some((set) => set.includes(item)));
    // Four or more items: exactly one exists only on the other variant.
    expect(new Set(onlyOther).size).toBe(1);
    for (const item of [...first, ...second]) expect(forked.has(item) || onlyOther.includes(item)).toBe(true);
  });

  it('is the same for the same seed, and differs for another', () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const all = (seed: number) => SCAN_POINTS.map((p) => key(timeline(items, new SeededRandom(seed, 'same'))(p))).join('|');
    expect(all(1)).toBe(all(1));
    expect(all(1)).not.toBe(all(2));
  });
});

describe('scanTime', () => {
  it('dates baseline scans over the four weeks before now and the other variant in the last days, never after now', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    const days = (point: ScanPoint) => (now.getTime() - scanTime(now, point, new SeededRandom(1, `${point.variant}${point.index}`)).getTime()) / 86_400_000;
    const baselineDays = Array.from({ length: BASELINE_SCANS }, (_, i) => days(baseline(i)));
    const otherDays = Array.from({ length: OTHER_SCANS }, (_, i) => days(other(i)));
    for (const d of [...baselineDays, ...otherDays]) expect(d).toBeGreaterThan(0);
    expect(Math.max(...baselineDays)).toBeLessThan(28);
    expect(baselineDays).toEqual([...baselineDays].sort((a, b) => b - a));
    expect(Math.max(...otherDays)).toBeLessThan(5);
    // The other variant's scans fall after the scan it forked from.
    expect(Math.min(...otherDays.map((d) => baselineDays[FORK] as number - d))).toBeGreaterThan(0);
  });
});
