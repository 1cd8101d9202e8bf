import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { A, B, buildScorecardEstate, D, DAY1, DAY2, ESTATE, type ScorecardEstate } from '../../test/support/scorecard-estate.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { expectFillGivesKeptRows } from '../../test/support/trend-facets.js';
import type { ScopeFilter } from '../access/roles.js';
import { Lantern } from '../lantern.js';
import { deleteScorecard } from '../store/scorecards.js';
import { facetSelection } from '../store/trend-facets.js';
import { computedScorecardTrend, type ResultFilter, scorecardTrend } from './results.js';

const DAY3 = '2026-03-14T09:00:00.000Z';
const DAY4 = '2026-03-15T09:00:00.000Z';

const SCOPES: Array<ScopeFilter | undefined> = [undefined, { all: false, orgs: [], projects: ['acme.apps'] }, { all: false, orgs: ['beta'], projects: [] }];

/** Filters on one facet (read from stored rows), and a few that are computed. */
const FILTERS: ResultFilter[] = [
  { owner: ['team-a'] },
  { owner: ['group:default/team-a', 'team-b'] },
  { owner: ['group:default/team-a', 'team-a'] },
  { owner: ['group:default/team-b'] },
  { owner: [] },
  { system: ['shop'] },
  { system: ['system:default/shop', 'billing'] },
  { kind: ['component'] },
  { kind: ['Group', 'Component'] },
  { type: ['service', 'website'] },
  { type: ['nothing'] },
  { lifecycle: ['Production'] },
  { lifecycle: ['experimental', 'deprecated'] },
  { owner: ['team-a'], lifecycle: ['production'] },
];

describeEachStore('the scorecard trend filtered by facet', (kind: StoreKind) => {
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

  /** Every scorecard's trend, each filter and scope, equals the one counted from its history. */
  const same = async (step: string) => {
    let points = 0;
    for (const scorecard of await lantern.scorecards.list(lantern.store.db)) {
      for (const scopes of SCOPES) {
        for (const filter of FILTERS) {
          for (const days of [1, 4]) {
            const options = { ...filter, days, now: clock, ...(scopes ? { scopes } : {}) };
            const stored = await scorecardTrend(lantern.store.db, scorecard, options);
            expect(stored, `${step}: ${scorecard.id}, ${JSON.stringify(filter)}, ${JSON.stringify(scopes)}, ${days} days`).toEqual(await computedScorecardTrend(lantern.store.db, scorecard, options));
            points += stored.reduce((n, p) => n + p.entities, 0);
          }
        }
      }
    }
    expect(points).toBeGreaterThan(0);
  };
  const facetRows = (scorecardId: string) => lantern.store.db.selectFrom('scorecard_trend_facet_changes').select('day').where('scorecard_id', '=', scorecardId).execute();

  it('serves one facet from stored rows, and computes several', () => {
    expect(FILTERS.slice(0, -1).every((f) => facetSelection(f) !== undefined)).toBe(true);
    expect(facetSelection({ owner: ['team-a'], lifecycle: ['production'] })).toBeUndefined();
    // A full ref whose name is asked for bare too is in the name's rows.
    expect(facetSelection({ owner: ['group:default/team-a', 'TEAM-A', 'user:default/bob'] })).toEqual([
      { facet: 'owner', value: 'user:default/bob' },
      { facet: 'owner_name', value: 'team-a' },
    ]);
  });

  it('reads what it computes through evaluations, backdated scans, exemptions, baselines, facet changes, removal and deletion', async () => {
    await lantern.evaluateScorecards(DAY1);
    await same('first day');

    clock = DAY2;
    await estate.ingest('acme/full', 'main', [B, D], '2026-03-13T08:00:00.000Z');
    await lantern.evaluateScorecards(DAY2);
    await same('second day');

    clock = DAY3;
    await estate.ingest('acme/full', 'main', [A, B, D], '2026-03-14T08:00:00.000Z');
    await lantern.evaluateScorecards(DAY3);
    // An evaluation dated earlier supersedes the history after it.
    await estate.ingest('acme/full', 'main', [B], '2026-03-14T08:30:00.000Z');
    await lantern.evaluateScorecards(DAY2);
    await same('history rewritten from the second day');

    const exemption = await lantern.requestExemption({ issueId: await estate.issueId(B), reason: 'accepted_risk', comment: 'Behind the gateway.' });
    await lantern.decideExemption(exemption.id, 'approved');
    await lantern.setBaseline(await estate.targetId('acme/full'), { variant: 'release' });
    await lantern.evaluateScorecards(DAY3);
    await same('an exemption and a new baseline');

    // A catalog refresh moves clean to team-b, system billing, lifecycle deprecated.
    const file = join(estate.catalogDir, 'catalog-info.yaml');
    const catalog = readFileSync(file, 'utf8');
    const moved = catalog.replace(/(name: clean[\s\S]*?lifecycle: )production(\s+owner: )team-a/, '$1deprecated$2team-b\n  system: billing');
    expect(moved).not.toBe(catalog);
    writeFileSync(file, moved);
    await lantern.refreshLocation(estate.locationId);
    const clean = await lantern.store.db.selectFrom('entities').select(['owner_ref', 'system_ref', 'lifecycle']).where('name', '=', 'clean').executeTakeFirstOrThrow();
    expect(clean).toEqual({ owner_ref: 'group:default/team-b', system_ref: 'system:default/billing', lifecycle: 'deprecated' });
    await same('clean moved by a catalog refresh');
    clock = DAY4;
    await lantern.evaluateScorecards(DAY4);
    await same('evaluated after the move');

    await lantern.store.db.updateTable('entities').set({ scope: 'beta.jobs' }).where('name', '=', 'full').execute();
    await same('full moved to beta.jobs');
    await expectFillGivesKeptRows(lantern.store.db, kind === 'postgres');
    await same('filled from the history');

    await lantern.store.db.deleteFrom('entities').where('name', '=', 'clean').execute();
    await same('clean removed');

    // A deleted scorecard leaves no stored rows; the others keep theirs.
    expect((await facetRows('no-data')).length).toBeGreaterThan(0);
    await lantern.store.transaction((trx) => deleteScorecard(trx, 'no-data'));
    expect(await facetRows('no-data')).toEqual([]);
    expect((await facetRows('pci')).length).toBeGreaterThan(0);
    await same('a scorecard deleted');
  });
});
