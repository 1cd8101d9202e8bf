import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { upsertRows } from './bulk.js';
import type { Store } from './database.js';
import { fillScorecardTrend } from './migrations/0021-scorecard-trend.js';
import { fillTrendFacets } from './migrations/0027-trend-facets.js';
import { writeScorecardHistory } from './scorecards.js';

const SUMS = new Set(['entities', 'scored', 'score_tenths', 'passing', 'pass', 'fail']);
const TABLES = ['scorecard_trend_changes', 'scorecard_trend_facet_changes'] as const;

/** A table's rows that change something, sums as numbers, in key order. */
async function kept(store: Store, table: (typeof TABLES)[number]): Promise<Array<Record<string, unknown>>> {
  const rows = (await store.db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
  const key = (r: Record<string, unknown>) => Object.entries(r).filter(([k]) => !SUMS.has(k)).map(([, v]) => String(v)).join('\n');
  return rows
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, SUMS.has(k) ? Number(v) : v])))
    .filter((r) => Object.entries(r).some(([k, v]) => SUMS.has(k) && v !== 0))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// Entities 1 and 2, and 3 and 4, have the same scope and facet values; 5 and 6 differ from all.
const ENTITIES = [
  { scope: 'acme.apps', type: 'service', lifecycle: 'production', owner: 'group:default/team-a', system: 'system:default/shop' },
  { scope: 'acme.apps', type: 'service', lifecycle: 'production', owner: 'group:default/team-a', system: 'system:default/shop' },
  { scope: 'beta.jobs', type: 'website', lifecycle: 'experimental', owner: 'group:default/team-b', system: null },
  { scope: 'beta.jobs', type: 'website', lifecycle: 'experimental', owner: 'group:default/team-b', system: null },
  { scope: 'acme.apps', type: null, lifecycle: null, owner: null, system: null },
  { scope: 'account', type: 'Library', lifecycle: 'production', owner: 'user:other/Ann', system: 'system:default/shop' },
];

const status = (pass: number[], fail: number[]) => JSON.stringify(Object.fromEntries([...pass.map((c) => [`c${c}`, 'pass']), ...fail.map((c) => [`c${c}`, 'fail'])]));

describeEachStore('scorecard history and its stored trend steps', (kind: StoreKind) => {
  let store: Store;
  let ids: number[];

  beforeEach(async () => {
    store = await openTestStore(kind);
    const now = '2026-03-01T00:00:00.000Z';
    const location = await store.db.insertInto('locations').values({ target: '/tmp/none', scope: 'account', status: 'ok', last_error: null, last_read_at: null, problems: '[]', created_at: now }).returning('id').executeTakeFirstOrThrow();
    ids = [];
    for (const [i, e] of ENTITIES.entries()) {
      const name = `svc-${i}`;
      const row = await store.db
        .insertInto('entities')
        .values({ uid: `uid-${i}`, ref: `component:default/${name}`, ref_key: `component:default/${name}`, kind: 'Component', namespace: 'default', name, title: null, description: null, type: e.type, owner_ref: e.owner, system_ref: e.system, domain_ref: null, lifecycle: e.lifecycle, tags: '[]', scope: e.scope, format: 'backstage', location_id: location.id, repository_url: null, envelope: '{}', problems: '[]', content_hash: '', source_file: 'catalog.yaml', source_document: i, source_line: 1, created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
  });
  afterEach(async () => {
    await store.close();
  });

  const write = (day: string, rows: Array<[entity: number, applies: number, score: number | null, statuses: string]>) =>
    store.transaction((trx) => writeScorecardHistory(store, trx, 'card', day, rows.map(([e, applies, score, statuses]) => ({ entity_id: ids[e] as number, applies, score, statuses }))));

  it('keeps the steps the migration fill computes from the history, through several days, a backdated rewrite and an entity that stops and starts applying', async () => {
    await write('2026-03-01', [
      [0, 1, 80, status([1, 2], [3])],
      [1, 1, 100, status([1, 2, 3], [])],
      [2, 1, 55.55, status([1], [2, 3])],
      [3, 1, null, status([], [])],
      [4, 1, 100, status([1, 2, 3], [])],
      [5, 1, 40, status([2], [1])],
    ]);
    await write('2026-03-03', [
      [0, 1, 90, status([1, 2, 3], [])],
      [1, 0, null, '{}'],
      [2, 1, 55.55, status([1], [2, 3])],
      [5, 0, null, '{}'],
    ]);
    await write('2026-03-04', [
      [1, 1, 70, status([1], [2])],
      [3, 1, 20, status([3], [1, 2])],
    ]);
    // Dated before the rows of 03-03 and 03-04 of entities 1 and 3: those are cut.
    await write('2026-03-02', [
      [1, 1, 60, status([2], [1, 3])],
      [3, 0, null, '{}'],
      [4, 1, 100, status([1, 2, 3], [])],
    ]);
    // The same day again, and an entity applying again.
    await write('2026-03-02', [[1, 1, 65, status([2, 3], [1])]]);
    await write('2026-03-05', [[5, 1, 50, status([1, 2], [])], [0, 1, 90, status([1, 2, 3], [])]]);

    const history = await store.db.selectFrom('scorecard_history').select(['entity_id', 'day']).orderBy('entity_id').orderBy('day').execute();
    expect(history.map((h) => `${ids.indexOf(h.entity_id)} ${h.day}`)).toEqual([
      '0 2026-03-01', '0 2026-03-03', '0 2026-03-05', '1 2026-03-01', '1 2026-03-02', '2 2026-03-01', '2 2026-03-03',
      '3 2026-03-01', '3 2026-03-02', '4 2026-03-01', '4 2026-03-02', '5 2026-03-01', '5 2026-03-03', '5 2026-03-05',
    ]);
    const stored = await Promise.all(TABLES.map((t) => kept(store, t)));
    expect(stored.every((rows) => rows.length > 0)).toBe(true);
    // Grouped entities' steps are summed: the scope's steps of entities 0 and 1 on the first day.
    expect(stored[0]?.find((r) => r.scope === 'acme.apps' && r.day === '2026-03-01' && r.check_id === '')).toMatchObject({ entities: 3, scored: 3, score_tenths: 2800, passing: 2 });
    for (const table of TABLES) await store.db.deleteFrom(table).execute();
    await fillScorecardTrend(store.db as never, kind === 'postgres');
    await fillTrendFacets(store.db as never, kind === 'postgres');
    expect(await Promise.all(TABLES.map((t) => kept(store, t)))).toEqual(stored);
  });

  it('upserts rows whose sums add to those stored', async () => {
    const row = (entities: number, fail: number) => ({ scorecard_id: 'card', scope: 'account', day: '2026-03-01', check_id: '', entities, scored: 0, score_tenths: 0, passing: 0, pass: 0, fail });
    const upsert = {
      table: 'scorecard_trend_changes',
      columns: [['scorecard_id', 'text'], ['scope', 'text'], ['day', 'text'], ['check_id', 'text'], ['entities', 'integer'], ['scored', 'integer'], ['score_tenths', 'integer'], ['passing', 'integer'], ['pass', 'integer'], ['fail', 'integer']],
      key: ['scorecard_id', 'scope', 'day', 'check_id'],
      update: ['scored'],
      add: ['entities', 'fail'],
    } as const;
    await upsertRows(store, store.db, upsert, [row(2, 1), { ...row(1, 0), day: '2026-03-02' }]);
    await upsertRows(store, store.db, upsert, [{ ...row(3, -1), scored: 7 }]);
    const rows = await store.db.selectFrom('scorecard_trend_changes').select(['day', 'entities', 'scored', 'fail']).orderBy('day').execute();
    expect(rows.map((r) => [r.day, Number(r.entities), Number(r.scored), Number(r.fail)])).toEqual([
      ['2026-03-01', 5, 7, 0],
      ['2026-03-02', 1, 0, 0],
    ]);
  });
});
