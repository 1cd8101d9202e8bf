import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { A, B, buildScorecardEstate, D, DAY1, DAY2, ESTATE, type ScorecardEstate } from '../../test/support/scorecard-estate.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import type { ScopeFilter } from '../access/roles.js';
import { Lantern } from '../lantern.js';
import { fillScorecardTrend } from '../store/migrations/0021-scorecard-trend.js';
import { removedCheckFailed } from '../store/scorecard-trend.js';
import { deleteScorecard } from '../store/scorecards.js';
import { computedScorecardTrend, scorecardTrend } from './results.js';

const DAY3 = '2026-03-14T09:00:00.000Z';
const DAY4 = '2026-03-15T09:00:00.000Z';

const SCOPES: Array<ScopeFilter | undefined> = [
  undefined,
  { all: true },
  { all: false, orgs: ['acme'], projects: [] },
  { all: false, orgs: [], projects: ['acme.apps'] },
  { all: false, orgs: [], projects: ['beta.jobs'] },
  { all: false, orgs: ['beta'], projects: ['acme.apps'] },
  { all: false, orgs: [], projects: [] },
];

describeEachStore('the scorecard trend from stored rows', (kind: StoreKind) => {
  let lantern: Lantern;
  let estate: ScorecardEstate;
  let clock = DAY1;

  beforeEach(async () => {
    clock = DAY1;
    lantern = new Lantern(await openTestStore(kind), { clock: () => clock, scorecards: { paths: [join(ESTATE, 'scorecards.yaml')] } });
    expect(await lantern.scorecards.load()).toEqual([]);
    estate = await buildScorecardEstate(lantern, async () => {});
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(estate.catalogDir, { recursive: true, force: true });
  });

  /** Every scorecard's stored trend equals the one computed from its history, in every scope filter, over a few windows. */
  const same = async (step: string) => {
    const scorecards = await lantern.scorecards.list(lantern.store.db);
    expect(scorecards.length).toBeGreaterThan(1);
    let points = 0;
    for (const scorecard of scorecards) {
      // The stored rows answer: no removed check failed.
      expect(await removedCheckFailed(lantern.store.db, scorecard.id, scorecard.checks.map((c) => c.id))).toBe(false);
      for (const scopes of SCOPES) {
        for (const days of [1, 3, 10]) {
          const options = { days, now: clock, ...(scopes ? { scopes } : {}) };
          const stored = await scorecardTrend(lantern.store.db, scorecard, options);
          expect(stored, `${step}: ${scorecard.id}, ${JSON.stringify(scopes)}, ${days} days`).toEqual(await computedScorecardTrend(lantern.store.db, scorecard, options));
          points += stored.reduce((n, p) => n + p.entities, 0);
        }
      }
    }
    // The comparison is not of empty trends.
    expect(points).toBeGreaterThan(0);
  };
  const storedRows = (scorecardId: string) => lantern.store.db.selectFrom('scorecard_trend_changes').select('day').where('scorecard_id', '=', scorecardId).execute();

  it('reads what it computes from every history row, through evaluations on several days, rewritten history, scope changes, removed entities and deleted scorecards', async () => {
    await lantern.evaluateScorecards(DAY1);
    await same('first day');
    expect((await storedRows('no-data')).length).toBeGreaterThan(0);

    clock = DAY2;
    await estate.ingest('acme/full', 'main', [B, D], '2026-03-13T08:00:00.000Z');
    await lantern.evaluateScorecards(DAY2);
    await same('second day');

    clock = DAY3;
    await estate.ingest('acme/full', 'main', [A, B, D], '2026-03-14T08:00:00.000Z');
    await lantern.evaluateScorecards(DAY3);
    await same('third day');

    // An evaluation dated earlier supersedes the history after it.
    await estate.ingest('acme/full', 'main', [B], '2026-03-14T08:30:00.000Z');
    await lantern.evaluateScorecards(DAY2);
    await same('history rewritten from the second day');

    // An entity that moves to another scope takes its history with it; and back.
    await lantern.store.db.updateTable('entities').set({ scope: 'beta.jobs' }).where('name', '=', 'full').execute();
    await same('full moved to beta.jobs');
    clock = DAY4;
    await lantern.evaluateScorecards(DAY4);
    await same('evaluated in beta.jobs');
    await lantern.store.db.updateTable('entities').set({ scope: 'acme.apps' }).where('name', '=', 'full').execute();
    await same('full back in acme.apps');

    // A removed entity leaves every day of the trend.
    await lantern.store.db.deleteFrom('entities').where('name', '=', 'clean').execute();
    await same('clean removed');
    await lantern.evaluateScorecards(DAY4);
    await same('evaluated after the removal');

    // The migration's fill, from the history as it stands, gives the rows kept so far.
    const all = () => lantern.store.db.selectFrom('scorecard_trend_changes').selectAll().where((eb) => eb.or(['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail'].map((c) => eb(eb.ref(c as 'pass'), '<>', 0)))).orderBy('scorecard_id').orderBy('scope').orderBy('day').orderBy('check_id').execute();
    const kept = await all();
    await lantern.store.db.deleteFrom('scorecard_trend_changes').execute();
    await fillScorecardTrend(lantern.store.db as never, kind === 'postgres');
    expect((await all()).map((r) => ({ ...r, ...Object.fromEntries(['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail'].map((c) => [c, Number(r[c as 'pass'])])) }))).toEqual(
      kept.map((r) => ({ ...r, ...Object.fromEntries(['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail'].map((c) => [c, Number(r[c as 'pass'])])) })),
    );
    await same('filled from the history');

    // A deleted scorecard leaves no stored rows; the others keep theirs.
    await lantern.store.transaction((trx) => deleteScorecard(trx, 'no-data'));
    expect(await storedRows('no-data')).toEqual([]);
    expect((await storedRows('pci')).length).toBeGreaterThan(0);
  });

  it('computes what it cannot read from per-scope rows: other entity filters, and a removed check that failed', async () => {
    await lantern.evaluateScorecards(DAY1);
    clock = DAY2;
    await estate.ingest('acme/full', 'main', [B, D], '2026-03-13T08:00:00.000Z');
    await lantern.evaluateScorecards(DAY2);
    const scorecard = await lantern.scorecards.find(lantern.store.db, 'no-data');
    const shop = await scorecardTrend(lantern.store.db, scorecard, { days: 2, now: DAY2, system: ['shop'] });
    expect(shop.map((p) => [p.date, p.entities, p.averageScore])).toEqual([
      ['2026-03-12', 2, 0],
      ['2026-03-13', 2, 100],
    ]);

    // Once a check that failed is no longer the scorecard's, the stored passing counts (no failed
    // check of the day) are not those of the current checks: the trend is counted from the history.
    const withoutStrict = { ...scorecard, checks: scorecard.checks.filter((c) => c.id !== 'strict') };
    expect(await removedCheckFailed(lantern.store.db, scorecard.id, scorecard.checks.map((c) => c.id))).toBe(false);
    expect(await removedCheckFailed(lantern.store.db, scorecard.id, withoutStrict.checks.map((c) => c.id))).toBe(true);
    const options = { days: 3, now: DAY2 };
    const reduced = await scorecardTrend(lantern.store.db, withoutStrict, options);
    expect(reduced).toEqual(await computedScorecardTrend(lantern.store.db, withoutStrict, options));
    expect(reduced.map((p) => p.checks.map((c) => c.id))).toEqual(reduced.map(() => withoutStrict.checks.map((c) => c.id)));
  });
});
