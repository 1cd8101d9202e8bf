import { describe, expect, it } from 'vitest';
import type { VariantInfo } from '../domain/baseline.js';
import { ACCOUNT_SCOPE, type Scope } from '../domain/scope.js';
import type { TargetLinkSpec } from './entity.js';
import {
  editDistance,
  indexTargets,
  lastSegment,
  LINK_DIAGNOSTIC_CODES,
  nameKeys,
  newTargetConcernsHint,
  resolveTargetLink,
  resolveTargetLinks,
  similarContenders,
  similarityKey,
  SimilarPodium,
  type SimilarRank,
  similarRank,
  similarRankOfKey,
  targetConcernsLink,
  type TargetSummary,
} from './matching.js';

const PAY: Scope = { level: 'project', org: 'acme', project: 'pay' };
const WEB: Scope = { level: 'project', org: 'acme', project: 'web' };

const scanned = (name: string, at = '2026-03-01'): VariantInfo => ({ name, createdAt: at, lastScanAt: at });
const unscanned = (name: string): VariantInfo => ({ name, createdAt: '2026-01-01', lastScanAt: null });

let nextId = 1;
function target(name: string, scope: Scope, variants: VariantInfo[] = [scanned('main')], extra: Partial<TargetSummary> = {}): TargetSummary {
  return { id: nextId++, name, scope, type: 'repository', baselineVariant: null, baselineRegex: null, variants, ...extra };
}
const link = (name: string, scope: Scope = PAY, extra: Partial<TargetLinkSpec> = {}): TargetLinkSpec => ({ name, scope, origin: 'annotation', problems: [], ...extra });
const resolve = (spec: TargetLinkSpec, targets: TargetSummary[]) => resolveTargetLink(spec, indexTargets(targets));
const codes = (resolution: ReturnType<typeof resolve>) => resolution.diagnostics.map((d) => `${d.level}:${d.code}`);

describe('resolveTargetLink: a match', () => {
  it('reads the baseline of a target of that name in that scope', () => {
    const payments = target('acme/payments', PAY, [scanned('main'), scanned('develop')]);
    expect(resolve(link('acme/payments'), [target('acme/payments', WEB), payments])).toEqual({
      spec: link('acme/payments'),
      matched: true,
      targetId: payments.id,
      targetName: 'acme/payments',
      variant: 'main',
      variantReason: 'conventional',
      diagnostics: [],
    });
  });

  it('compares names ignoring case and says so', () => {
    const result = resolve(link('ACME/Payments'), [target('acme/payments', PAY)]);
    expect(result.matched).toBe(true);
    expect(result.diagnostics).toEqual([
      { level: 'info', code: 'case-folded', message: 'The link names "ACME/Payments" and the target is written "acme/payments": they were matched ignoring case.' },
    ]);
  });

  it('reads the variant a link names', () => {
    const result = resolve(link('acme/payments', PAY, { variant: 'develop' }), [target('acme/payments', PAY, [scanned('main'), scanned('develop')])]);
    expect(result).toMatchObject({ matched: true, variant: 'develop', variantReason: 'variant', diagnostics: [] });
    const folded = resolve(link('acme/payments', PAY, { variant: 'Develop' }), [target('acme/payments', PAY, [scanned('develop')])]);
    expect(folded).toMatchObject({ matched: true, variant: 'develop' });
    expect(codes(folded)).toEqual(['info:case-folded']);
  });

  it('uses the explicit and the pattern baseline, and notes a fallback', () => {
    const explicit = target('t', PAY, [scanned('main'), scanned('prod')], { baselineVariant: 'prod' });
    expect(resolve(link('t'), [explicit])).toMatchObject({ matched: true, variant: 'prod', variantReason: 'explicit' });
    const pattern = target('t', PAY, [scanned('v1.0.0', '2026-01-01'), scanned('v1.1.0', '2026-02-01')], { baselineRegex: '^v' });
    expect(resolve(link('t'), [pattern])).toMatchObject({ matched: true, variant: 'v1.1.0', variantReason: 'regex' });
    const fallback = resolve(link('t'), [target('t', PAY, [scanned('feature-a', '2026-01-01'), scanned('feature-x', '2026-02-01')])]);
    expect(fallback).toMatchObject({ matched: true, variant: 'feature-x', variantReason: 'most-recent' });
    expect(fallback.diagnostics).toEqual([{ level: 'info', code: 'baseline-note', message: 'No baseline set; showing `feature-x`.' }]);
  });

  it('warns when the repository URL lands on a target that is not a repository', () => {
    const result = resolve(link('acme/payments', PAY, { origin: 'source-url' }), [target('acme/payments', PAY, [scanned('main')], { type: 'container' })]);
    expect(result.matched).toBe(true);
    expect(result.diagnostics).toEqual([
      { level: 'warning', code: 'not-a-repository', message: 'The repository URL names "acme/payments", which is a container target rather than a repository.' },
    ]);
  });
});

describe('resolveTargetLink: why a link matches nothing', () => {
  it('says when there is no target of that name in that scope, nor a similar one', () => {
    const result = resolve(link('acme/payments'), [target('totally/different', PAY)]);
    expect(result).toEqual({
      spec: link('acme/payments'),
      matched: false,
      diagnostics: [
        {
          level: 'warning',
          code: 'target-not-found',
          message: 'No target named "acme/payments" exists in acme.pay, and none has a similar name: no scan of it has been ingested yet.',
        },
      ],
      similarTargetIds: [],
    });
    expect(resolve(link('x', ACCOUNT_SCOPE), []).diagnostics[0]?.message).toContain('No target named "x" exists at account level');
  });

  it('says which other scopes hold a target of that name', () => {
    const result = resolve(link('acme/payments'), [target('acme/payments', WEB), target('Acme/Payments', ACCOUNT_SCOPE)]);
    expect(result.matched).toBe(false);
    expect(result.diagnostics).toEqual([
      {
        level: 'warning',
        code: 'target-in-other-scope',
        message: `No target named "acme/payments" exists in acme.pay, but one does in acme.web or at account level; set the entry's scope to "acme.web" or "account" to link it.`,
      },
    ]);
    // A name in another scope needs no similar-name hint, now or after any new target.
    expect(result.similarTargetIds).toEqual([]);
    const implicit = resolve(link('acme/payments', PAY, { origin: 'source-url' }), [target('acme/payments', WEB)]);
    expect(implicit.diagnostics[0]?.message).toBe('No target named "acme/payments" exists in acme.pay, but one does in acme.web.');
  });

  it('names similarly named targets, nearest and in the same scope first', () => {
    const targets = [
      target('https://github.com/acme/payments.git', WEB),
      target('acme-corp/payments', PAY),
      target('acme/payment', PAY),
      target('acme/paymentz', ACCOUNT_SCOPE),
    ];
    const result = resolve(link('acme/payments'), targets);
    expect(result.matched).toBe(false);
    expect(result.diagnostics).toEqual([
      {
        level: 'warning',
        code: 'similar-target',
        message: 'No target named "acme/payments" exists in acme.pay; a target with a similar name does: "acme-corp/payments" in acme.pay, "acme/payment" in acme.pay or "https://github.com/acme/payments.git" in acme.web.',
      },
    ]);
    // The store keeps which targets those are, nearest first: a new target is compared with them alone.
    expect(result.similarTargetIds).toEqual([targets[1]?.id, targets[2]?.id, targets[0]?.id]);
  });

  it('finds a clone URL or a scanner-written host name for an owner/repo link', () => {
    for (const name of ['git@github.com:acme/payments.git', 'github.com/acme/payments', 'HTTPS://GitHub.com/acme/payments/']) {
      const result = resolve(link('acme/payments'), [target(name, ACCOUNT_SCOPE)]);
      expect(codes(result)).toEqual(['warning:similar-target']);
    }
  });

  it('says when the variant was never scanned, naming the scanned ones', () => {
    const many = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => scanned(n));
    const result = resolve(link('t', PAY, { variant: 'develop' }), [target('t', PAY, [unscanned('develop'), ...many])]);
    expect(result).toMatchObject({ matched: false, variant: 'develop', variantReason: 'variant' });
    expect(result.diagnostics).toEqual([
      {
        level: 'warning',
        code: 'variant-not-scanned',
        message: 'The variant "develop" of target "t" was never scanned; scanned variants: "a", "b", "c", "d", "e" and 1 more.',
      },
    ]);
    const unknown = resolve(link('t', PAY, { variant: 'release' }), [target('t', PAY, [scanned('main')])]);
    expect(unknown.diagnostics[0]?.message).toBe('The variant "release" of target "t" was never scanned; scanned variants: "main".');
  });

  it('says when the explicit baseline was never scanned', () => {
    const result = resolve(link('t'), [target('t', PAY, [], { baselineVariant: 'prod' })]);
    expect(result).toMatchObject({ matched: false, variant: 'prod', variantReason: 'explicit' });
    expect(result.diagnostics).toEqual([
      { level: 'warning', code: 'variant-not-scanned', message: 'The baseline "prod" of target "t" was never scanned, and the target has no scan yet.' },
    ]);
  });

  it('says when the target has no baseline and no scan', () => {
    const result = resolve(link('t'), [target('t', PAY, [unscanned('main')])]);
    expect(result).toEqual({
      spec: link('t'),
      matched: false,
      targetId: expect.any(Number),
      targetName: 't',
      variantReason: 'none',
      diagnostics: [{ level: 'warning', code: 'no-baseline-no-scan', message: 'The target "t" has no baseline and no scan yet.' }],
    });
  });
});

describe('resolveTargetLinks', () => {
  it('matches again when targets appear later, as when a scan is ingested after the catalog was read', () => {
    const specs = [link('acme/payments'), link('registry.acme.io/payments', ACCOUNT_SCOPE, { variant: '1.4.2' })];
    const targets: TargetSummary[] = [];
    const directory = { targets: () => targets };
    expect(resolveTargetLinks(specs, directory).map((r) => r.matched)).toEqual([false, false]);
    targets.push(target('acme/payments', PAY), target('registry.acme.io/payments', ACCOUNT_SCOPE, [scanned('1.4.2')], { type: 'container' }));
    expect(resolveTargetLinks(specs, directory).map((r) => [r.matched, r.variant])).toEqual([
      [true, 'main'],
      [true, '1.4.2'],
    ]);
  });

  it('uses only stable diagnostic codes', () => {
    expect(LINK_DIAGNOSTIC_CODES).toEqual([
      'case-folded',
      'baseline-note',
      'not-a-repository',
      'target-not-found',
      'target-in-other-scope',
      'similar-target',
      'variant-not-scanned',
      'no-baseline-no-scan',
    ]);
  });
});

describe('editDistance', () => {
  it('counts edits and stops past the limit', () => {
    expect(editDistance('payments', 'payment', 2)).toBe(1);
    expect(editDistance('payments', 'paymnets', 2)).toBe(2);
    expect(editDistance('abc', 'abc', 0)).toBe(0);
    expect(editDistance('abcdef', 'uvwxyz', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
    expect(editDistance('registry.acme.io/svc-w0000', 'registry.acme.io/svc-00000', 3)).toBe(1);
    expect(editDistance('registry.acme.io/svc-w0000', 'registry.acme.io/svc-00420', 3)).toBe(3);
    expect(editDistance('acme/pay-ments', 'acme/payments', 1)).toBe(1);
    expect(editDistance('', 'ab', 3)).toBe(2);
    expect(editDistance('kitten', 'sitting', 3)).toBe(3);
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
  });

  it('agrees with the full table on random names, whatever the limit', () => {
    // The whole Levenshtein table, with no prefix taken off and no band: what the fast one must equal.
    const full = (a: string, b: string): number => {
      let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
      for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1)));
        previous = current;
      }
      return previous[b.length] as number;
    };
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const name = () => Array.from({ length: Math.floor(next() * 9) }, () => 'ab-/c'[Math.floor(next() * 5)]).join('');
    for (let run = 0; run < 3000; run++) {
      const a = name();
      const b = next() < 0.5 ? name() : `${a.slice(0, 3)}${name().slice(0, 2)}${a.slice(3)}`;
      const limit = Math.floor(next() * 4);
      expect(editDistance(a, b, limit), `${a} ~ ${b} within ${limit}`).toBe(Math.min(full(a, b), limit + 1));
    }
  });
});

describe('similar-name ranks weighed under the podium\'s ceiling', () => {
  it('keep every contender with its rank, whatever the order the names come in and the prefix known', () => {
    let seed = 11;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const tail = () => Array.from({ length: 1 + Math.floor(next() * 4) }, () => 'ab0-'[Math.floor(next() * 4)]).join('');
    for (let run = 0; run < 300; run++) {
      const link = nameKeys(`registry.acme.io/${tail()}`, ACCOUNT_SCOPE);
      const keys = Array.from({ length: 40 }, () => `registry.acme.io/${tail()}`);
      // Without a ceiling, each name weighed alone (what the store did): the contenders and their ranks.
      const all: Array<[number, SimilarRank]> = [];
      for (const [n, key] of keys.entries()) {
        const rank = similarRank(link, { nameKey: key, similarityKey: key, lastSegment: undefined, scope: link.scope });
        if (rank) all.push([n, rank]);
      }
      // Under the ceiling of the names weighed so far, with a prefix in common no longer than the true one.
      const podium = new SimilarPodium();
      const ceiled: Array<[number, SimilarRank]> = [];
      for (const [n, key] of keys.entries()) {
        let common = 0;
        while (common < key.length && key[common] === link.similarityKey[common]) common++;
        const rank = similarRankOfKey(link, key, podium.ceiling(), Math.floor(next() * (common + 1)));
        expect(rank === undefined || similarRank(link, { nameKey: key, similarityKey: key, lastSegment: undefined, scope: link.scope }, podium.ceiling()), key).toEqual(rank ?? true);
        if (rank) {
          ceiled.push([n, rank]);
          podium.add(rank);
        }
      }
      const contenders = (ranked: Array<[number, SimilarRank]>) => similarContenders(ranked).sort((a, b) => a - b).map((n) => [n, ranked.find(([m]) => m === n)?.[1]]);
      expect(contenders(ceiled), link.similarityKey).toEqual(contenders(all));
    }
  });
});

describe('newTargetConcernsHint: whether a new target can change a waiting link', () => {
  it('says no only when the link resolves against every target, the new one too, as it did without it', () => {
    let seed = 5;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const name = () => `acme/${Array.from({ length: 2 + Math.floor(next() * 3) }, () => 'ab1-'[Math.floor(next() * 4)]).join('')}`;
    const scope = () => (next() < 0.8 ? PAY : WEB);
    let no = 0;
    let yes = 0;
    for (let run = 0; run < 400; run++) {
      const spec = link(name());
      const before = Array.from({ length: Math.floor(next() * 8) }, () => target(name(), scope()));
      const added = target(next() < 0.1 ? spec.name : name(), scope());
      const without = resolve(spec, before);
      if (without.matched) continue;
      const all = indexTargets([...before, added]);
      const offered = (without.similarTargetIds ?? []).map((id) => before.find((t) => t.id === id) as TargetSummary);
      if (newTargetConcernsHint(nameKeys(spec.name, spec.scope), offered, added, all)) {
        yes++;
        // The store resolves such a link weighing its hint and the new target alone: the same.
        expect(resolveTargetLink(spec, all, [...offered, added]), `${spec.name} among its hint and ${added.name}`).toEqual(resolveTargetLink(spec, all));
      } else {
        no++;
        expect(resolveTargetLink(spec, all), `${spec.name} with ${added.name} added to ${before.map((t) => t.name).join(', ')}`).toEqual(without);
      }
    }
    // Both answers were given, many times each.
    expect(no).toBeGreaterThan(50);
    expect(yes).toBeGreaterThan(50);
  });

  it('weighs only the targets it is given for the hint, when given them', () => {
    const spec = link('acme/svc-10');
    const near = [target('acme/svc-11', PAY), target('acme/svc-12', PAY), target('acme/svc-13', PAY), target('acme/svc-14', PAY)];
    const all = indexTargets([...near, target('zzz/other', PAY)]);
    const hint = (among?: TargetSummary[]) => resolveTargetLink(spec, all, among).similarTargetIds;
    expect(hint()).toEqual([near[0]?.id, near[1]?.id, near[2]?.id]);
    expect(hint([near[3] as TargetSummary, near[1] as TargetSummary])).toEqual([near[1]?.id, near[3]?.id]);
    // A target given that is not similar is not offered; none given, no hint.
    expect(hint([target('zzz/other', PAY)])).toEqual([]);
    expect(resolveTargetLink(spec, all, []).diagnostics[0]?.code).toBe('target-not-found');
  });

  it('says yes for its name in any scope, for a hint with room left, and for a tie with the last name offered that sorts first', () => {
    const spec = link('acme/svc-10');
    const keys = nameKeys(spec.name, spec.scope);
    const offered = [target('acme/svc-11', PAY), target('acme/svc-12', PAY), target('acme/svc-14', PAY)];
    const check = (added: TargetSummary, hint = offered) => newTargetConcernsHint(keys, hint, added, indexTargets([...hint, added]));
    expect(check(target('acme/svc-10', WEB))).toBe(true);
    expect(check(target('acme/svc-99', PAY), offered.slice(0, 2))).toBe(true);
    expect(check(target('acme/svc-13', PAY))).toBe(true);
    expect(check(target('acme/svc-15', PAY))).toBe(false);
    expect(check(target('acme/svc-99', PAY))).toBe(false);
    expect(check(target('zzz/other', PAY), offered.slice(0, 2))).toBe(false);
  });
});

describe('targetConcernsLink: which unmatched links a new target can change', () => {
  const concerns = (linkName: string, linkScope: Scope, targetName: string, targetScope: Scope) => targetConcernsLink(nameKeys(linkName, linkScope), nameKeys(targetName, targetScope));

  it('the same name in any scope, the same name once host and .git are off, the same last segment', () => {
    expect(concerns('acme/payments', PAY, 'ACME/Payments', WEB)).toBe(true);
    expect(concerns('acme/payments', PAY, 'https://github.com/acme/payments.git', ACCOUNT_SCOPE)).toBe(true);
    expect(concerns('acme/payments', PAY, 'acme-corp/payments', WEB)).toBe(true);
  });

  it('a name a few edits away only in the link\'s own scope, and nothing else', () => {
    expect(concerns('acme/payments', PAY, 'acme/payment', PAY)).toBe(true);
    expect(concerns('acme/payments', PAY, 'acme/payment', WEB)).toBe(false);
    expect(concerns('acme/payments', PAY, 'other/ledger', PAY)).toBe(false);
    expect(concerns('payments', PAY, 'ledger', PAY)).toBe(false);
  });

  it('uses the keys the store indexes unmatched links by', () => {
    expect(similarityKey('git@github.com:Acme/Payments.git')).toBe('acme/payments');
    expect(lastSegment('acme/payments/')).toBe('payments');
    expect(lastSegment('payments')).toBeUndefined();
  });
});
