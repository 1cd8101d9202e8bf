import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { A, B, buildScorecardEstate, D, DAY1, DAY2, ESTATE, type ScorecardEstate } from '../../test/support/scorecard-estate.js';

const DEMO_SCORECARDS = fileURLToPath(new URL('../../examples/demo/scorecards/', import.meta.url));
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { decide, remove, requestExemption } from '../insights/exemption-actions.js';
import { DEFAULT_SLA_POLICIES } from '../insights/sla.js';
import { epssFile, feedDir, kevFile } from '../../test/support/feed-files.js';
import { Lantern } from '../lantern.js';
import { DATA_POINTS, readEntityFacts } from './data-points.js';
import { entityScorecards, scorecardResultsPage, scorecardTrend } from './results.js';

const PERSON = { id: 'user:lead', name: 'lead' };

describeEachStore('scorecards on the test estate', (kind: StoreKind) => {
  let lantern: Lantern;
  let estate: ScorecardEstate;
  let clock = DAY1;
  let exemptionId = 0;

  beforeEach(async () => {
    clock = DAY1;
    lantern = new Lantern(await openTestStore(kind), { clock: () => clock, scorecards: { paths: [join(ESTATE, 'scorecards.yaml')] } });
    expect(await lantern.scorecards.load()).toEqual([]);
    estate = await buildScorecardEstate(lantern, async (issueId) => {
      const requested = await lantern.store.transaction((trx) => requestExemption(trx, { issueId, reason: 'accepted_risk', comment: 'Not reachable.' }, clock, PERSON));
      exemptionId = requested.id;
      await lantern.store.transaction((trx) => decide(trx, requested.id, 'approved', PERSON, clock, lantern.refreshEntities));
    });
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(estate.catalogDir, { recursive: true, force: true });
  });

  const idOf = async (name: string) => (await lantern.store.db.selectFrom('entities').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  /** scorecard id → check id → status, for one entity. */
  const statuses = async (name: string) => {
    const views = await entityScorecards(lantern.store.db, await idOf(name), await lantern.scorecards.list(lantern.store.db));
    return Object.fromEntries(views.map((v) => [v.id, { score: v.score, ...Object.fromEntries(v.checks.map((c) => [c.id, `${c.status}${c.noData ? '*' : ''}`])) }]));
  };
  const scorecard = async (id: string) => lantern.scorecards.find(lantern.store.db, id);

  it('reads every data point exactly, and "no data" as no value, never zero', async () => {
    const facts = await readEntityFacts(lantern.store.db, undefined, { risk: { policies: DEFAULT_SLA_POLICIES, now: DAY1 } });
    const inputs: Record<string, Array<string | undefined>> = {
      'sto.sla_breached': [undefined, 'critical'],
      'sto.sla_compliance': [undefined, 'critical'],
      'sto.mttr_days': [undefined, 'critical'],
      'sto.total': [undefined, 'critical', 'high', 'medium', 'low', 'info'],
      'sto.fixable': [undefined, 'critical', 'high', 'low'],
      'sto.oldest_open_days': [undefined, 'critical', 'high', 'low'],
      'catalog.has_tag': ['pci', 'PCI', 'java', 'go'],
    };
    const table = Object.fromEntries(
      facts.map((f) => [
        f.ref,
        Object.fromEntries(DATA_POINTS.flatMap((d) => (inputs[d.id] ?? [undefined]).map((input) => [input === undefined ? d.id : `${d.id}(${input})`, d.read(f, input, Date.parse(DAY1))]))),
      ]),
    );
    // full: after the exemption of b, active a (critical, fixable, new, first seen D2), d (low,
    // fixable, new, D2) and e (info, common, D1). Last scan D2: 6 days 23 hours before DAY1; e was
    // first seen D1, 10 days 23 hours before. One link (its repository URL), matched.
    expect(table['component:default/full']).toEqual({
      'sto.critical': 1,
      'sto.high': 0,
      'sto.medium': 0,
      'sto.low': 1,
      'sto.info': 1,
      'sto.total': 3,
      'sto.total(critical)': 1,
      'sto.total(high)': 1,
      'sto.total(medium)': 1,
      'sto.total(low)': 2,
      'sto.total(info)': 3,
      'sto.fixable': 2,
      'sto.fixable(critical)': 1,
      'sto.fixable(high)': 1,
      'sto.fixable(low)': 2,
      'sto.new': 2,
      'sto.exempted': 1,
      'sto.days_since_last_scan': 6,
      'sto.oldest_open_days': 10,
      'sto.oldest_open_days(critical)': 6,
      'sto.oldest_open_days(high)': 6,
      'sto.oldest_open_days(low)': 6,
      // No KEV or EPSS feed loaded: unknown, not "not exploited".
      'sto.kev': null,
      'sto.epss_max': null,
      // a (critical, first seen D2) is due on DAY1's date: due, not breached.
      'sto.sla_breached': 0,
      'sto.sla_breached(critical)': 0,
      // c (medium, first seen D1) was fixed at D2, 4 days later, well within its 90.
      'sto.sla_compliance': 100,
      'sto.sla_compliance(critical)': null,
      'sto.mttr_days': 4,
      'sto.mttr_days(critical)': null,
      'sto.has_security_data': true,
      'sto.unmatched_links': 0,
      'catalog.has_owner': true,
      'catalog.has_sto_annotation': false,
      'catalog.has_source_location': true,
      'catalog.lifecycle': 'production',
      'catalog.type': 'service',
      'catalog.has_tag(pci)': true,
      'catalog.has_tag(PCI)': true,
      'catalog.has_tag(java)': true,
      'catalog.has_tag(go)': false,
    });
    // clean: one matched link to a target scanned at D2 with nothing found: zero, which is data.
    expect(table['component:default/clean']).toEqual({
      'sto.critical': 0,
      'sto.high': 0,
      'sto.medium': 0,
      'sto.low': 0,
      'sto.info': 0,
      'sto.total': 0,
      'sto.total(critical)': 0,
      'sto.total(high)': 0,
      'sto.total(medium)': 0,
      'sto.total(low)': 0,
      'sto.total(info)': 0,
      'sto.fixable': 0,
      'sto.fixable(critical)': 0,
      'sto.fixable(high)': 0,
      'sto.fixable(low)': 0,
      'sto.new': 0,
      'sto.exempted': 0,
      'sto.days_since_last_scan': 6,
      'sto.oldest_open_days': 0,
      'sto.oldest_open_days(critical)': 0,
      'sto.oldest_open_days(high)': 0,
      'sto.oldest_open_days(low)': 0,
      // No active issue: nothing known-exploited, whatever the feeds; nothing fixed: no value.
      'sto.kev': 0,
      'sto.epss_max': 0,
      'sto.sla_breached': 0,
      'sto.sla_breached(critical)': 0,
      'sto.sla_compliance': null,
      'sto.sla_compliance(critical)': null,
      'sto.mttr_days': null,
      'sto.mttr_days(critical)': null,
      'sto.has_security_data': true,
      'sto.unmatched_links': 0,
      'catalog.has_owner': true,
      'catalog.has_sto_annotation': true,
      'catalog.has_source_location': false,
      'catalog.lifecycle': 'production',
      'catalog.type': 'service',
      'catalog.has_tag(pci)': false,
      'catalog.has_tag(PCI)': false,
      'catalog.has_tag(java)': true,
      'catalog.has_tag(go)': false,
    });
    const noValues = (refs: string[]) => Object.fromEntries(refs.map((r) => [r, null]));
    const security = [
      'sto.critical', 'sto.high', 'sto.medium', 'sto.low', 'sto.info', 'sto.total', 'sto.total(critical)', 'sto.total(high)', 'sto.total(medium)', 'sto.total(low)', 'sto.total(info)',
      'sto.fixable', 'sto.fixable(critical)', 'sto.fixable(high)', 'sto.fixable(low)', 'sto.new', 'sto.exempted', 'sto.days_since_last_scan',
      'sto.oldest_open_days', 'sto.oldest_open_days(critical)', 'sto.oldest_open_days(high)', 'sto.oldest_open_days(low)',
      'sto.kev', 'sto.epss_max', 'sto.sla_breached', 'sto.sla_breached(critical)', 'sto.sla_compliance', 'sto.sla_compliance(critical)', 'sto.mttr_days', 'sto.mttr_days(critical)',
    ];
    // no-data: its one link (written as a JSON string) matches nothing.
    expect(table['component:default/no-data']).toEqual({
      ...noValues(security),
      'sto.has_security_data': false,
      'sto.unmatched_links': 1,
      'catalog.has_owner': true,
      'catalog.has_sto_annotation': true,
      'catalog.has_source_location': false,
      'catalog.lifecycle': 'experimental',
      'catalog.type': 'website',
      'catalog.has_tag(pci)': false,
      'catalog.has_tag(PCI)': false,
      'catalog.has_tag(java)': false,
      'catalog.has_tag(go)': false,
    });
    // team-a: a Group declares no owner, lifecycle or link.
    expect(table['group:default/team-a']).toEqual({
      ...noValues(security),
      'sto.has_security_data': false,
      'sto.unmatched_links': 0,
      'catalog.has_owner': false,
      'catalog.has_sto_annotation': false,
      'catalog.has_source_location': false,
      'catalog.lifecycle': null,
      'catalog.type': 'team',
      'catalog.has_tag(pci)': false,
      'catalog.has_tag(PCI)': false,
      'catalog.has_tag(java)': false,
      'catalog.has_tag(go)': false,
    });
    // The bulk read of some entities reads the same as of all.
    const some = await readEntityFacts(lantern.store.db, [await idOf('full'), await idOf('no-data')], { risk: { policies: DEFAULT_SLA_POLICIES, now: DAY1 } });
    expect(some).toEqual(facts.filter((f) => f.ref === 'component:default/full' || f.ref === 'component:default/no-data'));
  });

  it('reads whether an entity declares the link annotation as its catalog file now says, alike by ids and by a range of ids', async () => {
    const annotated = async () => {
      const ids = (await lantern.store.db.selectFrom('entities').select('id').orderBy('id').execute()).map((e) => e.id);
      const byIds = await readEntityFacts(lantern.store.db, ids);
      expect(await readEntityFacts(lantern.store.db, { from: ids[0] as number, to: ids.at(-1) as number })).toEqual(byIds);
      return Object.fromEntries(byIds.map((f) => [f.ref.split('/')[1], f.hasStoAnnotation]));
    };
    expect(await annotated()).toEqual({ full: false, clean: true, 'no-data': true, 'team-a': false });
    // clean's annotation is removed, and full gains one.
    const file = join(estate.catalogDir, 'catalog-info.yaml');
    const text = readFileSync(file, 'utf8');
    const edited = text
      .replace('  annotations:\n    harness.io/sto-test-target:\n      - name: acme/clean\n', '')
      .replace('backstage.io/source-location: url:https://github.com/acme/full/tree/main/', `$&\n    harness.io/sto-test-target: '[{"name": "acme/full"}]'`);
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    await lantern.catalog.refresh(estate.locationId);
    expect(await annotated()).toEqual({ full: true, clean: false, 'no-data': true, 'team-a': false });
  });

  it('counts known-exploited issues and the highest EPSS once the feeds are loaded, and evaluates checks on them', async () => {
    const dir = feedDir();
    // a (critical, active) is in KEV; b is too, but exempted; d has the highest EPSS of the active issues.
    await lantern.importFeed('kev', kevFile(dir, [{ cveID: A.id, dateAdded: '2026-01-05', dueDate: '2026-01-26' }, { cveID: B.id, dateAdded: '2026-01-05' }]));
    await lantern.importFeed('epss', epssFile(dir, [[A.id, 0.2, 0.5], [B.id, 0.9, 0.99], [D.id, 0.6, 0.9]]));
    const facts = await readEntityFacts(lantern.store.db, undefined, { risk: { policies: DEFAULT_SLA_POLICIES, now: DAY1 } });
    const read = (ref: string, id: string) => DATA_POINTS.find((d) => d.id === id)?.read(facts.find((f) => f.ref === ref) as (typeof facts)[number], undefined, Date.parse(DAY1));
    expect(['sto.kev', 'sto.epss_max'].map((id) => read('component:default/full', id))).toEqual([1, 0.6]);
    expect(['sto.kev', 'sto.epss_max'].map((id) => read('component:default/clean', id))).toEqual([0, 0]);
    expect(['sto.kev', 'sto.epss_max'].map((id) => read('component:default/no-data', id))).toEqual([null, null]);

    const { evaluation } = await lantern.defineScorecard({
      id: 'exploited',
      name: 'Nothing exploited',
      filter: { kind: ['Component'] },
      checks: [
        { id: 'kev', name: 'No known-exploited issue', rules: [{ dataPoint: 'sto.kev', operator: '==', value: 0 }] },
        { id: 'epss', name: 'EPSS below 0.5', rules: [{ dataPoint: 'sto.epss_max', operator: '<', value: 0.5 }] },
        { id: 'sla', name: 'Nothing breached', rules: [{ dataPoint: 'sto.sla_breached', input: 'high', operator: '==', value: 0 }] },
      ],
    });
    expect(evaluation.entities).toBe(3);
    const results = async (name: string) => (await statuses(name)).exploited;
    expect(await results('full')).toEqual({ score: 33.3, kev: 'fail', epss: 'fail', sla: 'pass' });
    expect(await results('clean')).toEqual({ score: 100, kev: 'pass', epss: 'pass', sla: 'pass' });
    expect(await results('no-data')).toEqual({ score: null, kev: 'unknown*', epss: 'unknown*', sla: 'unknown*' });

    // A day later a's 7 days have run out: the hourly evaluation sees it breached.
    clock = DAY2;
    await lantern.evaluateScorecards(DAY2);
    expect(await results('full')).toMatchObject({ sla: 'fail' });
  });

  it('evaluates every operator, stores the results, and scores only decided checks', async () => {
    await lantern.evaluateScorecards(DAY1);
    // total is 3 for full, 0 for clean, no value for no-data and team-a.
    expect((await statuses('full')).operators).toEqual({
      // 6 + 1 of 11 weight: owned weighs 2, not-production failed.
      score: 63.6,
      'total-lt': 'fail', 'total-le': 'pass', 'total-eq': 'pass', 'total-ne': 'fail', 'total-ge': 'pass', 'total-gt': 'fail',
      owned: 'pass', 'not-annotated': 'pass', production: 'pass', 'not-production': 'fail',
    });
    expect((await statuses('clean')).operators).toEqual({
      // total-lt, total-le, total-ne, owned (2), production: 6 of 11.
      score: 54.5,
      'total-lt': 'pass', 'total-le': 'pass', 'total-eq': 'fail', 'total-ne': 'pass', 'total-ge': 'fail', 'total-gt': 'fail',
      owned: 'pass', 'not-annotated': 'fail', production: 'pass', 'not-production': 'fail',
    });
    expect((await statuses('no-data')).operators).toEqual({
      // Only owned (2), not-annotated, production and not-production were decided: 3 of 5.
      score: 60,
      'total-lt': 'unknown*', 'total-le': 'unknown*', 'total-eq': 'unknown*', 'total-ne': 'unknown*', 'total-ge': 'unknown*', 'total-gt': 'unknown*',
      owned: 'pass', 'not-annotated': 'fail', production: 'fail', 'not-production': 'pass',
    });
    expect((await statuses('team-a')).operators).toEqual({
      // A Group has no lifecycle: neither lifecycle check is decided. not-annotated passed, owned (2) failed: 1 of 3.
      score: 33.3,
      'total-lt': 'unknown*', 'total-le': 'unknown*', 'total-eq': 'unknown*', 'total-ne': 'unknown*', 'total-ge': 'unknown*', 'total-gt': 'unknown*',
      owned: 'fail', 'not-annotated': 'pass', production: 'unknown*', 'not-production': 'unknown*',
    });
    // A scorecard whose every check is unknown for an entity gives it no score, not 0.
    expect((await statuses('team-a')).groups).toEqual({ score: null, 'nothing-new': 'unknown*' });
    // Filters: pci applies to full and clean (tags), no-data to Components only.
    expect(Object.keys(await statuses('full')).sort()).toEqual(['no-data', 'operators', 'pci', 'security-baseline']);
    expect(Object.keys(await statuses('no-data')).sort()).toEqual(['no-data', 'operators', 'security-baseline']);
    // The built-in baseline (weights 2, 3, 2, 2, 1, 1): full passes has-security-data, scanned-recently,
    // links-resolve and has-owner, 6 of 11; no-data only has-owner, 1 of the 6 decided.
    expect((await statuses('full'))['security-baseline']).toEqual({
      score: 54.5,
      'has-security-data': 'pass', 'no-critical': 'fail', 'no-fixable-high': 'fail', 'scanned-recently': 'pass', 'links-resolve': 'pass', 'has-owner': 'pass',
    });
    expect((await statuses('no-data'))['security-baseline']).toEqual({
      score: 16.7,
      'has-security-data': 'fail', 'no-critical': 'unknown*', 'no-fixable-high': 'unknown*', 'scanned-recently': 'fail*', 'links-resolve': 'fail', 'has-owner': 'pass',
    });
    expect((await statuses('clean'))['security-baseline']?.score).toBe(100);
    expect((await statuses('full')).pci).toEqual({ score: 66.7, recent: 'pass', 'young-issues': 'fail' });
    expect((await statuses('clean')).pci).toEqual({ score: 100, recent: 'pass', 'young-issues': 'pass' });

    const [view] = (await entityScorecards(lantern.store.db, await idOf('full'), [await scorecard('pci')])) as [Awaited<ReturnType<typeof entityScorecards>>[number]];
    expect(view.checks[1]).toEqual({
      id: 'young-issues',
      name: 'No issue open for a week',
      description: '',
      weight: 1,
      strategy: 'allOf',
      whenNoData: 'unknown',
      status: 'fail',
      noData: false,
      message: '10 days since the oldest open issue was found; this check wants fewer than 7.',
      rules: [
        { dataPoint: 'sto.oldest_open_days', input: null, operator: '<', threshold: 7, observed: 10, status: 'fail', sentence: '10 days since the oldest open issue was found; this check wants fewer than 7.' },
      ],
    });
    expect(view).toMatchObject({ id: 'pci', name: 'PCI and Java', origin: 'file', score: 66.7, passed: 1, failed: 1, unknown: 0, updatedAt: DAY1 });
  });

  it('applies whenNoData in all three modes, never counting no data as zero', async () => {
    await lantern.evaluateScorecards(DAY1);
    expect((await statuses('full'))['no-data']).toEqual({ score: 0, strict: 'fail', lenient: 'fail', undecided: 'fail', 'below-one': 'fail' });
    expect((await statuses('clean'))['no-data']).toEqual({ score: 100, strict: 'pass', lenient: 'pass', undecided: 'pass', 'below-one': 'pass' });
    // `sto.critical < 1` would pass if no data read as 0; it is unknown.
    // Every check lacks data: no score, although whenNoData passed one and failed another.
    expect((await statuses('no-data'))['no-data']).toEqual({ score: null, strict: 'fail*', lenient: 'pass*', undecided: 'unknown*', 'below-one': 'unknown*' });
    const page = await scorecardResultsPage(lantern.store.db, await scorecard('no-data'), {});
    // Worst first: full 0, clean 100, then no-data without a score.
    expect(page.items.map((i) => [i.name, i.score, i.passed, i.failed, i.unknown])).toEqual([
      ['full', 0, 0, 4, 0],
      ['clean', 100, 4, 0, 0],
      ['no-data', null, 1, 1, 2],
    ]);
    expect(page.summary).toEqual({
      entities: 3,
      scored: 2,
      averageScore: 50,
      passing: 1,
      passRate: 50,
      checks: [
        { id: 'strict', name: 'No critical, or fail', weight: 1, pass: 1, fail: 2, unknown: 0, passRate: 33.3 },
        { id: 'lenient', name: 'No critical, or pass', weight: 1, pass: 2, fail: 1, unknown: 0, passRate: 66.7 },
        { id: 'undecided', name: 'No critical, or unknown', weight: 1, pass: 1, fail: 1, unknown: 1, passRate: 50 },
        { id: 'below-one', name: 'Fewer than one critical', weight: 1, pass: 1, fail: 1, unknown: 1, passRate: 50 },
      ],
    });
    const [view] = await entityScorecards(lantern.store.db, await idOf('no-data'), [await scorecard('no-data')]);
    expect(view).toMatchObject({ score: null, noData: true, summary: 'No data: none of the 4 checks has a value for this entity, so it has no score.' });
    expect(view?.checks.map((c) => c.message)).toEqual([
      'No value for critical issues: the entity has no security data. The check counts as failed (whenNoData: fail).',
      'No value for critical issues: the entity has no security data. The check counts as passed (whenNoData: pass).',
      'No value for critical issues: the entity has no security data. The check is unknown.',
      'No value for critical issues: the entity has no security data. The check is unknown.',
    ]);
    const [clean] = await entityScorecards(lantern.store.db, await idOf('clean'), [await scorecard('no-data')]);
    expect(clean).toMatchObject({ score: 100, noData: false, summary: '4 of 4 decided checks passed.' });
  });

  it('keeps one snapshot per day, and draws the trend from the days results changed', async () => {
    await lantern.evaluateScorecards(DAY1);
    await lantern.evaluateScorecards(DAY1);
    const history = () => lantern.store.db.selectFrom('scorecard_history').select(['entity_id', 'day', 'score']).where('scorecard_id', '=', 'no-data').orderBy('day').orderBy('entity_id').execute();
    // The hooks of the estate's set-up ran on DAY1 too: one row per entity for the day.
    expect((await history()).map((h) => [h.day, h.score])).toEqual([
      ['2026-03-12', 0],
      ['2026-03-12', 100],
      ['2026-03-12', null],
    ]);

    // The next day a scan fixes full's critical; the ingest re-evaluates full at once.
    clock = DAY2;
    await estate.ingest('acme/full', 'main', [B, D], '2026-03-13T08:00:00.000Z');
    expect((await statuses('full'))['no-data']).toMatchObject({ score: 100, strict: 'pass' });
    await lantern.evaluateScorecards(DAY2);
    // Only full changed on the second day.
    expect((await history()).map((h) => [h.day, h.score])).toEqual([
      ['2026-03-12', 0],
      ['2026-03-12', 100],
      ['2026-03-12', null],
      ['2026-03-13', 100],
    ]);

    const points = await scorecardTrend(lantern.store.db, await scorecard('no-data'), { days: 3, now: DAY2 });
    expect(points.map((p) => [p.date, p.entities, p.averageScore, p.passing, p.passRate])).toEqual([
      ['2026-03-11', 0, null, 0, null],
      // full 0, clean 100; no-data has no score.
      ['2026-03-12', 3, 50, 1, 50],
      ['2026-03-13', 3, 100, 2, 100],
    ]);
    expect(points[1]?.checks[0]).toEqual({ id: 'strict', pass: 1, fail: 2, unknown: 0, passRate: 33.3 });
    expect(points[2]?.checks[0]).toEqual({ id: 'strict', pass: 2, fail: 1, unknown: 0, passRate: 66.7 });
    // Filtered by the entities' system: full and no-data are in system shop.
    const shop = await scorecardTrend(lantern.store.db, await scorecard('no-data'), { days: 2, now: DAY2, system: ['shop'] });
    expect(shop.map((p) => [p.date, p.entities, p.averageScore])).toEqual([
      ['2026-03-12', 2, 0],
      ['2026-03-13', 2, 100],
    ]);
    // Days since the last scan move with the clock alone: a later evaluation stores new observed values.
    const days = async () => (await entityScorecards(lantern.store.db, await idOf('clean'), [await scorecard('pci')]))[0]?.checks[0]?.rules[0]?.observed;
    expect(await days()).toBe(7);
    expect((await statuses('clean')).pci).toMatchObject({ recent: 'fail' });
  });

  it('follows exemptions, baselines and catalog edits through Lantern’s hooks', async () => {
    const noDataScore = async () => (await statuses('full'))['no-data']?.score;
    expect(await noDataScore()).toBe(0);
    // Exempting the critical clears every check at once.
    const issueA = await estate.issueId(A);
    const requested = await lantern.store.transaction((trx) => requestExemption(trx, { issueId: issueA, reason: 'false_positive', comment: 'Not in the image.' }, DAY1, PERSON));
    await lantern.store.transaction((trx) => decide(trx, requested.id, 'approved', PERSON, DAY1, lantern.refreshEntities));
    expect(await noDataScore()).toBe(100);
    await lantern.store.transaction((trx) => remove(trx, requested.id, DAY1, lantern.refreshEntities));
    expect(await noDataScore()).toBe(0);
    // An exemption that expires stops counting at the next sweep.
    const brief = await lantern.store.transaction((trx) => requestExemption(trx, { issueId: issueA, reason: 'other', comment: 'Until noon.', expiresAt: '2026-03-12T12:00:00.000Z' }, DAY1, PERSON));
    await lantern.store.transaction((trx) => decide(trx, brief.id, 'approved', PERSON, DAY1, lantern.refreshEntities));
    expect(await noDataScore()).toBe(100);
    expect(await lantern.sweepExpiredExemptions('2026-03-12T13:00:00.000Z')).toBe(1);
    expect(await noDataScore()).toBe(0);
    await lantern.store.transaction((trx) => remove(trx, brief.id, DAY1, lantern.refreshEntities));
    // Removing b's exemption brings b (high, not fixable) back: one more active issue.
    await lantern.store.transaction((trx) => remove(trx, exemptionId, DAY1, lantern.refreshEntities));
    expect((await entityScorecards(lantern.store.db, await idOf('full'), [await scorecard('operators')]))[0]?.checks[0]?.rules[0]?.observed).toBe(4);

    // The release variant, scanned clean, becomes the baseline.
    await lantern.setBaseline(await estate.targetId('acme/full'), { variant: 'release' });
    expect(await noDataScore()).toBe(100);

    // clean loses its java tag and leaves production: it leaves the pci scorecard, and the history says so.
    const file = join(estate.catalogDir, 'catalog-info.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('tags: [java]', 'tags: [go]').replace(/(name: clean[\s\S]*?lifecycle: )production/, '$1experimental'));
    await lantern.catalog.refresh(estate.locationId);
    expect(await statuses('clean')).toMatchObject({ operators: { production: 'fail', 'not-production': 'pass' } });
    expect(Object.keys(await statuses('clean')).sort()).toEqual(['no-data', 'operators', 'security-baseline']);
    const left = await lantern.store.db.selectFrom('scorecard_history').selectAll().where('scorecard_id', '=', 'pci').where('entity_id', '=', await idOf('clean')).execute();
    expect(left.map((h) => [h.day, h.applies, h.score, h.statuses])).toEqual([['2026-03-12', 0, null, '{}']]);
  });

  it('runs the demo scorecards on any estate: passing, failing and no-data entities', async () => {
    const demo = new Lantern(lantern.store, { clock: () => DAY1, scorecards: { paths: [DEMO_SCORECARDS], builtIn: false } });
    expect(await demo.scorecards.load()).toEqual([]);
    await demo.evaluateScorecards(DAY1);
    const scores = async (id: string) =>
      (await scorecardResultsPage(lantern.store.db, await demo.scorecards.find(lantern.store.db, id), { sort: 'name' })).items.map((i) => [i.name, i.score, i.passed, i.failed, i.unknown]);
    // production components (full, clean): full fails only no-critical (weight 3 of 12).
    expect(await scores('production-readiness')).toEqual([
      ['clean', 100, 6, 0, 0],
      ['full', 75, 5, 1, 0],
    ]);
    // full: a fixable high (3) and a high in a pci component (1) of 9; no-data decides only
    // links-resolve (failed) and pci-no-high (passed: not tagged pci).
    expect(await scores('vulnerability-hygiene')).toEqual([
      ['clean', 100, 6, 0, 0],
      ['full', 55.6, 4, 2, 0],
      ['no-data', 50, 1, 1, 4],
    ]);
    // Catalog data points only: clean and no-data name no repository (1 of 5).
    expect(await scores('catalog-hygiene')).toEqual([
      ['clean', 80, 3, 1, 0],
      ['full', 100, 4, 0, 0],
      ['no-data', 80, 3, 1, 0],
    ]);
  });
});
