import { describe, expect, it } from 'vitest';
import { SummaryCache } from './summary-cache';

describe('the summary cache', () => {
  it('keeps a value for its time, then loads it again', async () => {
    let now = 0;
    let loads = 0;
    const cache = new SummaryCache<number>({ ttlMs: 1000, maxEntries: 10, now: () => now });
    const load = async () => ++loads;
    expect(await cache.get('a', load)).toEqual({ value: 1, hit: false });
    now = 999;
    expect(await cache.get('a', load)).toEqual({ value: 1, hit: true });
    now = 1000;
    expect(await cache.get('a', load)).toEqual({ value: 2, hit: false });
  });

  it('shares one load between concurrent reads, and keeps no failure', async () => {
    let loads = 0;
    let release!: (v: number) => void;
    const cache = new SummaryCache<number>({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    const slow = () => {
      loads++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const both = Promise.all([cache.get('a', slow), cache.get('a', slow)]);
    release(7);
    expect((await both).map((r) => r.value)).toEqual([7, 7]);
    expect(loads).toBe(1);
    await expect(cache.get('b', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('b', async () => 3)).toEqual({ value: 3, hit: false });
  });

  it('keeps at most maxEntries, the oldest leaving first; a time of 0 keeps nothing', async () => {
    const cache = new SummaryCache<string>({ ttlMs: 1000, maxEntries: 2, now: () => 0 });
    for (const key of ['a', 'b', 'c']) await cache.get(key, async () => key);
    expect(cache.size).toBe(2);
    expect((await cache.get('a', async () => 'again')).hit).toBe(false);
    expect((await cache.get('c', async () => 'again')).hit).toBe(true);
    const none = new SummaryCache<string>({ ttlMs: 0, maxEntries: 2 });
    await none.get('a', async () => 'x');
    expect((await none.get('a', async () => 'y')).value).toBe('y');
  });
});
