import { describe, expect, it } from 'vitest';
import { type Check, checkMessage, compare, evaluateCheck, OPERATORS, type Operator, type Rule, ruleStatus } from './checks.js';
import type { EntityFacts, SecurityFacts, Value } from './data-points.js';
import { ruleSentence } from './sentences.js';
import { appliesTo, readCheck, readScorecard, refMatches, scoreOf, type WeightedCheck } from './scorecard.js';

const security = (critical: number): SecurityFacts => ({
  counts: { critical, high: 0, medium: 0, low: 0, info: 0, total: critical },
  fixable: 0,
  new: 0,
  exempted: 0,
  lastScanAt: '2026-03-01T00:00:00.000Z',
  breakdown: { fixable: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, oldestOpen: { critical: null, high: null, medium: null, low: null, info: null } },
});

const entity = (overrides: Partial<EntityFacts> = {}): EntityFacts => ({
  id: 1,
  ref: 'component:default/a',
  scope: 'acme.shop',
  kind: 'Component',
  type: 'service',
  lifecycle: 'production',
  owner: 'group:default/team-a',
  system: null,
  tags: ['pci'],
  hasStoAnnotation: true,
  hasSourceLocation: false,
  security: security(2),
  unmatchedLinks: 0,
  ...overrides,
});
const noData = entity({ security: null });
const NOW = Date.parse('2026-03-02T00:00:00.000Z');

const check = (rules: Rule[], overrides: Partial<Check> = {}): Check => ({ id: 'c', name: 'C', description: '', rules, strategy: 'allOf', whenNoData: 'unknown', ...overrides });
const critical = (operator: Operator, value: number): Rule => ({ dataPoint: 'sto.critical', operator, value });
const owned: Rule = { dataPoint: 'catalog.has_owner', operator: '==', value: true };
const unowned: Rule = { dataPoint: 'catalog.has_owner', operator: '==', value: false };

describe('rules', () => {
  it('compares numbers with every operator, below, at and above the threshold', () => {
    // Observed 1, 2, 3 against the threshold 2.
    const table = Object.fromEntries(OPERATORS.map((op) => [op, [1, 2, 3].map((n) => compare(n, op, 2))]));
    expect(table).toEqual({
      '<': [true, false, false],
      '<=': [true, true, false],
      '==': [false, true, false],
      '!=': [true, false, true],
      '>=': [false, true, true],
      '>': [false, false, true],
    });
  });

  it('compares booleans and texts for equality, texts ignoring case', () => {
    expect([compare(true, '==', true), compare(true, '!=', true), compare(false, '==', true), compare(false, '!=', true)]).toEqual([true, false, false, true]);
    expect([compare('Production', '==', 'production'), compare('production', '!=', 'PRODUCTION'), compare('experimental', '!=', 'production')]).toEqual([true, false, true]);
  });
});

describe('a check', () => {
  it('passes or fails on observed values, and keeps them', () => {
    expect(evaluateCheck(check([critical('==', 0)]), entity(), NOW)).toEqual({ status: 'fail', noData: false, observed: [2] });
    expect(evaluateCheck(check([critical('<=', 2), owned]), entity(), NOW)).toEqual({ status: 'pass', noData: false, observed: [2, true] });
    expect(evaluateCheck(check([critical('==', 0), owned], { strategy: 'anyOf' }), entity(), NOW)).toEqual({ status: 'pass', noData: false, observed: [2, true] });
    expect(evaluateCheck(check([critical('==', 0), unowned], { strategy: 'anyOf' }), entity(), NOW)).toEqual({ status: 'fail', noData: false, observed: [2, true] });
  });

  it('never reads "no data" as zero: a missing value passes no comparison, whatever the operator', () => {
    for (const operator of OPERATORS) {
      expect(evaluateCheck(check([critical(operator, 0)]), noData, NOW)).toEqual({ status: 'unknown', noData: true, observed: [null] });
    }
  });

  it('lets whenNoData decide only what the rules leave undecided', () => {
    const modes = (rules: Rule[], strategy: 'allOf' | 'anyOf') =>
      (['fail', 'pass', 'unknown'] as const).map((whenNoData) => {
        const r = evaluateCheck(check(rules, { strategy, whenNoData }), noData, NOW);
        return `${r.status}${r.noData ? '*' : ''}`;
      });
    // No value at all: whenNoData decides, and the result says so (*).
    expect(modes([critical('==', 0)], 'allOf')).toEqual(['fail*', 'pass*', 'unknown*']);
    // allOf: a failing rule fails the check whatever the missing one would say.
    expect(modes([critical('==', 0), unowned], 'allOf')).toEqual(['fail', 'fail', 'fail']);
    // allOf with a passing rule and a missing one: undecided.
    expect(modes([critical('==', 0), owned], 'allOf')).toEqual(['fail*', 'pass*', 'unknown*']);
    // anyOf: a passing rule passes the check; a failing one and a missing one are undecided.
    expect(modes([critical('==', 0), owned], 'anyOf')).toEqual(['pass', 'pass', 'pass']);
    expect(modes([critical('==', 0), unowned], 'anyOf')).toEqual(['fail*', 'pass*', 'unknown*']);
  });

  it('says why in a message: its own, or one made from the rules', () => {
    const plain = check([critical('==', 0), owned]);
    expect(checkMessage(plain, evaluateCheck(plain, entity(), NOW))).toBe('2 critical issues; this check wants none.');
    expect(checkMessage(plain, evaluateCheck(plain, entity({ security: security(0) }), NOW))).toBe('No critical issues, as this check wants. An owner, as this check wants.');
    expect(checkMessage(plain, evaluateCheck(plain, noData, NOW))).toBe('No value for critical issues: the entity has no security data. The check is unknown.');
    const strict = check([critical('==', 0)], { whenNoData: 'fail', passMessage: 'Clean.', failMessage: 'Fix the criticals.' });
    expect(checkMessage(strict, evaluateCheck(strict, noData, NOW))).toBe('No value for critical issues: the entity has no security data. The check counts as failed (whenNoData: fail).');
    expect(checkMessage(strict, evaluateCheck(strict, entity(), NOW))).toBe('Fix the criticals.');
    expect(checkMessage(strict, evaluateCheck(strict, entity({ security: security(0) }), NOW))).toBe('Clean.');
    const tagged = check([{ dataPoint: 'sto.total', input: 'high', operator: '<', value: 1 }], { strategy: 'anyOf' });
    expect(checkMessage(tagged, evaluateCheck(tagged, entity(), NOW))).toBe('2 open issues at high or above; this check wants none.');
  });

  it('reads every rule as a sentence, whatever its data point and operator', () => {
    const say = (rule: Rule, observed: Value | null) => ruleSentence(rule, observed, observed !== null && ruleStatus(rule, observed) === 'pass');
    expect(say({ dataPoint: 'sto.critical', operator: '==', value: 0 }, 9)).toBe('9 critical issues; this check wants none.');
    expect(say({ dataPoint: 'sto.high', operator: '<=', value: 3 }, 1)).toBe('1 high issue, as this check wants.');
    expect(say({ dataPoint: 'sto.fixable', input: 'high', operator: '==', value: 0 }, 2)).toBe('2 fixable issues at high or above; this check wants none.');
    expect(say({ dataPoint: 'sto.days_since_last_scan', operator: '<', value: 7 }, 12)).toBe('12 days since the last scan; this check wants fewer than 7.');
    expect(say({ dataPoint: 'sto.unmatched_links', operator: '==', value: 0 }, 1)).toBe('1 target link that matches nothing; this check wants none.');
    expect(say({ dataPoint: 'sto.new', operator: '>=', value: 1 }, 0)).toBe('No new issues; this check wants at least one new issue.');
    expect(say({ dataPoint: 'sto.has_security_data', operator: '==', value: true }, false)).toBe('No security data; this check wants security data.');
    expect(say({ dataPoint: 'catalog.has_owner', operator: '!=', value: false }, false)).toBe('No owner; this check wants an owner.');
    expect(say({ dataPoint: 'catalog.has_tag', input: 'pci', operator: '==', value: false }, true)).toBe('The tag “pci”; this check wants no tag “pci”.');
    expect(say({ dataPoint: 'catalog.lifecycle', operator: '!=', value: 'experimental' }, 'experimental')).toBe('Lifecycle “experimental”; this check wants any lifecycle but “experimental”.');
    expect(say({ dataPoint: 'catalog.lifecycle', operator: '==', value: 'production' }, null)).toBe('No value for lifecycle: the entity does not declare it.');
    expect(say({ dataPoint: 'sto.oldest_open_days', input: 'critical', operator: '<', value: 30 }, null)).toBe('No value for days since the oldest open issue at critical or above was found: the entity has no security data.');
  });
});

describe('the score', () => {
  const weighted = (...weights: number[]): WeightedCheck[] => weights.map((weight, i) => ({ ...check([owned]), id: `c${i}`, weight }));

  it('is the weighted share of passed checks, unknown ones left out of the denominator', () => {
    // 3 of 3 + 1 decided weight passed: 75 %.
    expect(scoreOf(weighted(3, 1), [{ status: 'pass' }, { status: 'fail' }])).toBe(75);
    // The unknown check (weight 5) counts neither way.
    expect(scoreOf(weighted(3, 1, 5), [{ status: 'pass' }, { status: 'fail' }, { status: 'unknown' }])).toBe(75);
    // 1 of 3: 33.3 %, one decimal.
    expect(scoreOf(weighted(1, 1, 1), [{ status: 'pass' }, { status: 'fail' }, { status: 'fail' }])).toBe(33.3);
    expect(scoreOf(weighted(0.5, 2), [{ status: 'fail' }, { status: 'pass' }])).toBe(80);
  });

  it('does not exist when every check lacks data, whatever whenNoData made of them', () => {
    expect(scoreOf(weighted(1, 2), [{ status: 'pass', noData: true }, { status: 'fail', noData: true }])).toBeNull();
    expect(scoreOf(weighted(1, 1), [{ status: 'pass', noData: true }, { status: 'fail', noData: false }])).toBe(50);
  });

  it('does not exist when no check was decided: null, not 0', () => {
    expect(scoreOf(weighted(1, 2), [{ status: 'unknown' }, { status: 'unknown' }])).toBeNull();
    expect(scoreOf(weighted(1), [{ status: 'fail' }])).toBe(0);
  });
});

describe('a scorecard filter', () => {
  it('matches each field given, ignoring case; owners by full ref or bare name; any of the tags', () => {
    expect(appliesTo({}, entity())).toBe(true);
    expect(appliesTo({ kind: ['component'], type: ['SERVICE', 'website'], lifecycle: ['production'] }, entity())).toBe(true);
    expect(appliesTo({ kind: ['API'] }, entity())).toBe(false);
    expect(appliesTo({ lifecycle: ['production'] }, entity({ lifecycle: null }))).toBe(false);
    expect(appliesTo({ owner: ['team-a'] }, entity())).toBe(true);
    expect(appliesTo({ owner: ['group:default/team-a'] }, entity())).toBe(true);
    expect(appliesTo({ owner: ['team'] }, entity())).toBe(false);
    expect(appliesTo({ owner: ['team-a'] }, entity({ owner: null }))).toBe(false);
    expect(appliesTo({ tags: ['java', 'PCI'] }, entity())).toBe(true);
    expect(appliesTo({ tags: ['java'] }, entity())).toBe(false);
    expect(refMatches('system:default/payments', ['payments', 'other'])).toBe(true);
  });
});

describe('reading definitions', () => {
  const rule = (overrides: Record<string, unknown>) => ({ dataPoint: 'sto.critical', operator: '==', value: 0, ...overrides });
  const scorecard = (checks: unknown[], extra: Record<string, unknown> = {}) => ({ id: 'sc', name: 'SC', checks, ...extra });
  const inline = (rules: unknown[], extra: Record<string, unknown> = {}) => ({ id: 'c1', name: 'C1', rules, ...extra });
  const problems = (value: unknown) => readScorecard(value).issues.map((i) => [i.path.join('.'), i.message]);

  it('reads a scorecard with defaults: allOf, whenNoData unknown, weight 1, no filter', () => {
    expect(readScorecard(scorecard([inline([rule({})])]))).toEqual({
      definition: {
        id: 'sc',
        name: 'SC',
        description: '',
        filter: {},
        checks: [{ id: 'c1', name: 'C1', description: '', rules: [{ dataPoint: 'sto.critical', operator: '==', value: 0 }], strategy: 'allOf', whenNoData: 'unknown', weight: 1 }],
      },
      issues: [],
    });
  });

  it('refuses an unknown data point, an input of the wrong kind, an operator or value of the wrong type', () => {
    expect(problems(scorecard([inline([rule({ dataPoint: 'sto.crit' })])]))).toEqual([
      ['checks.0.rules.0.dataPoint', 'Unknown data point "sto.crit": expected one of those GET /api/scorecards/data-points lists, such as sto.critical or catalog.has_owner.'],
    ]);
    expect(problems(scorecard([inline([rule({ input: 'high' })])]))).toEqual([['checks.0.rules.0.input', 'The data point sto.critical takes no input, but the rule gives "high".']]);
    expect(problems(scorecard([inline([rule({ dataPoint: 'sto.total', input: 'severe' })])]))).toEqual([
      ['checks.0.rules.0.input', 'Invalid input "severe" for sto.total: expected a severity (critical, high, medium, low, info).'],
    ]);
    expect(problems(scorecard([inline([rule({ dataPoint: 'catalog.has_tag', operator: '==', value: true })])]))).toEqual([
      ['checks.0.rules.0.input', 'The data point catalog.has_tag needs an input: The tag, e.g. pci.'],
    ]);
    expect(problems(scorecard([inline([rule({ dataPoint: 'catalog.has_tag', input: ' ', value: true })])]))).toEqual([
      ['checks.0.rules.0.input', 'Invalid input " " for catalog.has_tag: expected a tag, such as "pci".'],
    ]);
    expect(problems(scorecard([inline([rule({ dataPoint: 'catalog.has_owner', operator: '<', value: true })])]))).toEqual([
      ['checks.0.rules.0.operator', 'Invalid operator "<" for catalog.has_owner, a boolean: expected == !=.'],
    ]);
    expect(problems(scorecard([inline([rule({ operator: '=' })])]))).toEqual([['checks.0.rules.0.operator', 'Invalid operator "=" for sto.critical, a number: expected < <= == != >= >.']]);
    expect(problems(scorecard([inline([rule({ value: '0' })])]))).toEqual([['checks.0.rules.0.value', 'Invalid value "0" for sto.critical: expected a number.']]);
    expect(problems(scorecard([inline([rule({ dataPoint: 'catalog.lifecycle', value: 1 })])]))).toEqual([['checks.0.rules.0.value', 'Invalid value 1 for catalog.lifecycle: expected a string.']]);
  });

  it('refuses weights of 0 or less, repeated check ids, checks without rules, unknown fields and bad ids', () => {
    expect(problems(scorecard([inline([rule({})], { weight: 0 })]))).toEqual([['checks.0.weight', 'Invalid weight 0: expected a number greater than 0.']]);
    expect(problems(scorecard([inline([rule({})], { weight: '2' })]))).toEqual([['checks.0.weight', 'Invalid weight "2": expected a number greater than 0.']]);
    expect(problems(scorecard([inline([rule({})]), inline([rule({})])]))).toEqual([
      ['checks.1', 'The check id "c1" is used twice in the scorecard (items 1 and 2): check ids must be unique within a scorecard.'],
    ]);
    expect(problems(scorecard([inline([])]))).toEqual([['checks.0.rules', 'The check "c1" has no rules: expected a list of at least one rule {dataPoint, operator, value}.']]);
    expect(problems(scorecard([]))).toEqual([['checks', 'The scorecard has no checks: expected a list of at least one check.']]);
    expect(problems(scorecard({ c1: {} } as never))).toEqual([['checks', 'The scorecard has checks a mapping: expected a list of at least one check.']]);
    expect(problems({ id: 'sc', name: 'SC' })).toEqual([['checks', 'The scorecard has no checks: expected a list of at least one check.']]);
    expect(problems(scorecard([inline([rule({})], { whenNodata: 'pass' })]))).toEqual([
      ['checks.0.whenNodata', 'Unknown field "whenNodata" in the check: expected id, name, description, rules, strategy, whenNoData, passMessage, failMessage, weight.'],
    ]);
    expect(problems(scorecard([inline([rule({})], { strategy: 'oneOf', whenNoData: 'skip' })]))).toEqual([
      ['checks.0.strategy', 'Invalid strategy "oneOf": expected allOf or anyOf.'],
      ['checks.0.whenNoData', 'Invalid whenNoData "skip": expected fail or pass or unknown.'],
    ]);
    expect(problems({ ...scorecard([inline([rule({})])]), id: 'Security Baseline', filter: { owner: [1], team: 'x' } })).toEqual([
      ['id', 'Invalid scorecard id "Security Baseline": expected lower-case letters, digits, ".", "_" and "-", starting with a letter or digit, at most 100 characters.'],
      ['filter.team', 'Unknown field "team" in the filter: expected kind, type, lifecycle, owner, tags.'],
      ['filter.owner.0', 'Invalid filter owner 1: expected a non-empty text.'],
    ]);
    expect(problems([1])).toEqual([['', 'The scorecard is a list: expected a mapping.']]);
    expect(problems({ ...scorecard([inline([rule({})])]), id: 'data-points' })).toEqual([
      ['id', 'The scorecard id "data-points" is reserved: GET /api/scorecards/data-points lists the data points. Choose another id.'],
    ]);
    // An optional text may be empty (a stored definition keeps description ""); a name may not.
    expect(readScorecard({ ...scorecard([inline([rule({})])]), description: '' }).definition?.description).toBe('');
    expect(problems({ ...scorecard([inline([rule({})], { name: ' ' })]) })).toEqual([['checks.0.name', 'Invalid check name " ": expected a non-empty text.']]);
    expect(problems({ ...scorecard([inline([rule({})])]), apiVersion: 'v2', kind: 'Check' })).toEqual([
      ['apiVersion', 'Invalid apiVersion "v2": expected lantern.io/v1 (or none).'],
      ['kind', 'Invalid kind "Check": expected Scorecard.'],
    ]);
  });

  it('resolves references to standalone checks, with their own weight', () => {
    const { definition: standalone } = readCheck({ kind: 'Check', id: 'owned', name: 'Owned', rules: [rule({ dataPoint: 'catalog.has_owner', value: true })] });
    expect(standalone).toMatchObject({ id: 'owned', strategy: 'allOf' });
    const checks = new Map([['owned', standalone as Check]]);
    expect(readScorecard(scorecard([{ check: 'owned', weight: 4 }]), checks).definition?.checks).toEqual([{ ...standalone, weight: 4 }]);
    expect(readScorecard(scorecard([{ check: 'ownd' }]), checks).issues.map((i) => i.message)).toEqual([
      'No check "ownd" is defined: expected the id of a check document (kind: Check), one of owned.',
    ]);
    expect(readScorecard(scorecard([{ check: 'owned', rules: [] }]), checks).issues.map((i) => i.message)).toEqual(['Unknown field "rules" in the check reference: expected check, weight.']);
    expect(readCheck({ kind: 'Check', id: 'x', name: 'X', weight: 2, rules: [rule({})] }).issues.map((i) => i.message)).toEqual([
      'Unknown field "weight" in the check: expected apiVersion, kind, id, name, description, rules, strategy, whenNoData, passMessage, failMessage.',
    ]);
  });
});
