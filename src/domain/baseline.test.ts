import { describe, expect, it } from 'vitest';
import { chooseBaseline, type VariantInfo } from './baseline.js';

const v = (name: string, createdAt: string, lastScanAt: string | null = createdAt): VariantInfo => ({ name, createdAt, lastScanAt });
const none = { baselineVariant: null, baselineRegex: null };

describe('chooseBaseline', () => {
  it('uses the explicit baseline, scanned or not', () => {
    expect(chooseBaseline({ ...none, baselineVariant: 'prod' }, [v('main', '2026-01-01')])).toEqual({ variant: 'prod', reason: 'explicit' });
  });

  it('uses the newest variant matching the regex', () => {
    const variants = [v('v1.2.0', '2026-01-01', '2026-03-01'), v('v1.3.0', '2026-02-01'), v('main', '2026-02-15'), v('v1.4.0-rc1', '2026-02-20')];
    expect(chooseBaseline({ ...none, baselineRegex: '^v\\d+\\.\\d+\\.\\d+$' }, variants)).toEqual({ variant: 'v1.3.0', reason: 'regex' });
  });

  it('falls back with a note when nothing matches the regex', () => {
    const choice = chooseBaseline({ ...none, baselineRegex: '^release-' }, [v('main', '2026-01-01')]);
    expect(choice).toEqual({ variant: 'main', reason: 'conventional', note: 'no variant matches the baseline pattern /^release-/; showing `main`' });
  });

  it('treats an invalid regex as matching nothing', () => {
    expect(chooseBaseline({ ...none, baselineRegex: '(' }, [v('feature', '2026-01-01')]).variant).toBe('feature');
  });

  it('says why a stored pattern the linear-time engine refuses is ignored', () => {
    const choice = chooseBaseline({ ...none, baselineRegex: '^v(?=1)' }, [v('v1.0.0', '2026-01-01'), v('main', '2026-01-02')]);
    expect(choice).toEqual({
      variant: 'main',
      reason: 'conventional',
      note: 'the baseline pattern /^v(?=1)/ cannot be used (error parsing regexp: invalid or unsupported Perl syntax: `(?=`); showing `main`',
    });
  });

  it('matches a catastrophic-backtracking pattern against long variant names and still answers', () => {
    // On a backtracking engine each of these names takes exponential time in its length.
    const names = Array.from({ length: 200 }, (_, i) => v(`${'a'.repeat(40 + i)}!`, `2026-01-${String((i % 28) + 1).padStart(2, '0')}`));
    const variants = [...names, v('a'.repeat(50), '2026-02-01', '2026-02-01')];
    expect(chooseBaseline({ ...none, baselineRegex: '^(a+)+$' }, variants)).toEqual({ variant: 'a'.repeat(50), reason: 'regex' });
  });

  it('prefers main, master, latest, default in that order when none is set', () => {
    expect(chooseBaseline(none, [v('latest', '2026-01-02'), v('master', '2026-01-01')])).toEqual({ variant: 'master', reason: 'conventional' });
    expect(chooseBaseline(none, [v('default', '2026-01-02'), v('latest', '2026-01-01')]).variant).toBe('latest');
  });

  it('ignores a conventional name that was never scanned', () => {
    expect(chooseBaseline(none, [v('main', '2026-01-01', null), v('feature-x', '2026-01-02')]).variant).toBe('feature-x');
  });

  it('otherwise shows the most recently scanned variant and says so', () => {
    const choice = chooseBaseline(none, [v('feature-a', '2026-01-01', '2026-01-05'), v('feature-x', '2026-01-02', '2026-01-09')]);
    expect(choice).toEqual({ variant: 'feature-x', reason: 'most-recent', note: 'no baseline set; showing `feature-x`' });
  });

  it('has nothing to show for a target without scans', () => {
    expect(chooseBaseline(none, [])).toEqual({ variant: null, reason: 'none', note: 'the target has no baseline and no scan' });
  });
});
