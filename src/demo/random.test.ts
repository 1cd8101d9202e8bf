import { describe, expect, it } from 'vitest';
import { SeededRandom, stableHex } from './random.js';

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and label, and not for another label', () => {
    const draw = (label: string) => Array.from({ length: 5 }, ((r) => () => r.next())(new SeededRandom(42, label)));
    expect(draw('a')).toEqual(draw('a'));
    expect(draw('a')).not.toEqual(draw('b'));
    for (const n of draw('a')) expect(n >= 0 && n < 1).toBe(true);
  });

  it('draws integers in bounds, picks, shuffles without losing items, and writes characters from an alphabet', () => {
    const random = new SeededRandom(1);
    const ints = Array.from({ length: 200 }, () => random.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
    expect(['x', 'y']).toContain(random.pick(['x', 'y']));
    expect(() => random.pick([])).toThrow(RangeError);
    expect(random.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(random.chars(12, 'AB')).toMatch(/^[AB]{12}$/);
    expect(random.hex(8)).toMatch(/^[0-9a-f]{8}$/);
    expect([random.chance(0), random.chance(1)]).toEqual([false, true]);
  });

  it('gives stable digests of text', () => {
    expect(stableHex('acme', 8)).toBe(stableHex('acme', 8));
    expect(stableHex('acme', 8)).toMatch(/^[0-9a-f]{8}$/);
  });
});
