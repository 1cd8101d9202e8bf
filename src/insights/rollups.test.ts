import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';

/*
 * entity_rollups and entity_sort_keys are kept by triggers (store/migrations/0007-scale-reads.ts,
 * 0010-overview-sort.ts); after every kind of change they must equal what is computed live from
 * every entity and its stored summary.
 */
const v = (id: string, pkg: string, severity: Vulnerability['severity']): Vulnerability => ({ id, pkg, version: '1.0.0', severity });
const lodash = v('CVE-2021-23337', 'lodash', 'HIGH');
const minimist = v('CVE-2021-44906', 'minimist', 'CRITICAL');
const qs = v('CVE-2022-24999', 'qs', 'MEDIUM');

describeEachStore('maintained entity rollups', (kind: StoreKind) => {
  let lantern: Lantern;
  let dir: string;

  const ingest = (target: string, scope: string, variant: string, vulnerabilities: Vulnerability[], baseline = false) =>
    lantern.ingest({ report: new TextEncoder().encode(trivyReport(vulnerabilities)), source: 'test', target, targetType: 'repository', variant, scope: parseScope(scope), baseline });

  const stored = async () =>
    (await lantern.store.db.selectFrom('entity_rollups').selectAll().where('entities', '>', 0).orderBy('scope').orderBy('owner_ref').orderBy('system_ref').orderBy('domain_ref').execute()).map((r) => ({
      ...r,
      entities: Number(r.entities),
    }));
  const live = async () =>
    (
      await sql<{ scope: string; owner_ref: string; system_ref: string; domain_ref: string; entities: number; with_data: number; critical: number; high: number; medium: number; low: number; info: number }>`
        select e.scope, coalesce(e.owner_ref, '') as owner_ref, coalesce(e.system_ref, '') as system_ref, coalesce(e.domain_ref, '') as domain_ref,
          count(*) as entities, sum(coalesce(s.has_data, 0)) as with_data, sum(coalesce(s.critical, 0)) as critical, sum(coalesce(s.high, 0)) as high,
          sum(coalesce(s.medium, 0)) as medium, sum(coalesce(s.low, 0)) as low, sum(coalesce(s.info, 0)) as info
        from entities e left join entity_summaries s on s.entity_id = e.id
        group by e.scope, coalesce(e.owner_ref, ''), coalesce(e.system_ref, ''), coalesce(e.domain_ref, '')
        order by 1, 2, 3, 4`.execute(lantern.store.db)
    ).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, value]) => [k, typeof value === 'string' && !k.endsWith('_ref') && k !== 'scope' ? Number(value) : value])));
  /**
   * entity_sort_keys (0010-overview-sort.ts): one row per entity with its lowered filter fields,
   * and each key column, read in index order, orders the entities as its sort means, computed here
   * from the entities and their stored summaries.
   */
  const expectSortKeysMaintained = async () => {
    const { db } = lantern.store;
    const entities = await db
      .selectFrom('entities as e')
      .leftJoin('entity_summaries as s', 's.entity_id', 'e.id')
      .select(['e.id', 'e.scope', 'e.ref_key', 'e.name', 'e.kind', 'e.type', 'e.owner_ref', 'e.system_ref', 'e.lifecycle', 's.has_data', 's.critical', 's.high', 's.medium', 's.low', 's.info', 's.total', 's.last_scan_at'])
      .execute();
    const rows = await db.selectFrom('entity_sort_keys').select(['entity_id', 'scope', 'ref_key', 'kind_key', 'type_key', 'lifecycle_key', 'owner_key', 'system_key', 'has_data']).orderBy('entity_id').execute();
    const lower = (v: string | null) => v?.toLowerCase() ?? null;
    expect(rows).toEqual(
      entities
        .map((e) => ({ entity_id: e.id, scope: e.scope, ref_key: e.ref_key, kind_key: lower(e.kind), type_key: lower(e.type), lifecycle_key: lower(e.lifecycle), owner_key: lower(e.owner_ref), system_key: lower(e.system_ref), has_data: e.has_data ?? 0 }))
        .sort((a, b) => a.entity_id - b.entity_id),
    );
    type Live = (typeof entities)[number];
    const counts = ['critical', 'high', 'medium', 'low', 'info', 'total'] as const;
    const fields = { name: 'name', kind: 'kind', type: 'type', owner: 'owner_ref', system: 'system_ref', lifecycle: 'lifecycle', last_scan: 'last_scan_at' } as const;
    for (const direction of [1, -1]) {
      const text = (x: string | null, y: string | null) => (x === y ? 0 : x === null ? 1 : y === null ? -1 : direction * (x < y ? -1 : 1));
      const sorts: Array<[string, (a: Live, b: Live) => number]> = [
        ...counts.map((key): [string, (a: Live, b: Live) => number] => [
          key,
          (a, b) => {
            if ((a.has_data ?? 0) !== (b.has_data ?? 0)) return (b.has_data ?? 0) - (a.has_data ?? 0);
            const order = key === 'total' ? counts : [key, ...counts.filter((c) => c !== key && c !== 'total')];
            for (const c of order) if ((a[c] ?? 0) !== (b[c] ?? 0)) return direction * ((a[c] ?? 0) - (b[c] ?? 0));
            return 0;
          },
        ]),
        ...Object.entries(fields).map(([key, column]): [string, (a: Live, b: Live) => number] => [key, (a, b) => text(column === 'last_scan_at' ? a[column] : lower(a[column]), column === 'last_scan_at' ? b[column] : lower(b[column]))]),
      ];
      for (const [key, compare] of sorts) {
        const column = `${direction === 1 ? 'asc' : 'desc'}_${key}` as 'asc_name';
        const descending = direction === -1 && !(counts as readonly string[]).includes(key);
        const read = await db.selectFrom('entity_sort_keys').select('entity_id').orderBy(column, descending ? 'desc' : 'asc').orderBy('ref_key').execute();
        const expected = [...entities].sort((a, b) => compare(a, b) || (a.ref_key < b.ref_key ? -1 : 1)).map((e) => e.id);
        expect(read.map((r) => r.entity_id), column).toEqual(expected);
      }
    }
  };
  /** entity_facet_rollups and target_sharing (0010-overview-sort.ts) against the same sums and counts made live. */
  const expectFacetsMaintained = async () => {
    const { db } = lantern.store;
    const key = (r: Record<string, unknown>) => JSON.stringify(r);
    const byKey = <T extends Record<string, unknown>>(rows: T[]) => rows.sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const entities = await db
      .selectFrom('entities as e')
      .leftJoin('entity_summaries as s', 's.entity_id', 'e.id')
      .select(['e.scope', 'e.kind', 'e.type', 'e.lifecycle', 'e.owner_ref', 'e.system_ref', 'e.domain_ref', 's.has_data', 's.critical', 's.high', 's.medium', 's.low', 's.info'])
      .execute();
    const groups = new Map<string, Record<string, string | number>>();
    for (const e of entities) {
      const facets = { scope: e.scope, kind_key: e.kind.toLowerCase(), type_key: e.type?.toLowerCase() ?? '', lifecycle_key: e.lifecycle?.toLowerCase() ?? '', owner_ref: e.owner_ref ?? '', system_ref: e.system_ref ?? '', domain_ref: e.domain_ref ?? '' };
      const group = groups.get(key(facets)) ?? { ...facets, entities: 0, with_data: 0, critical: 0, high: 0, medium: 0, low: 0, info: 0 };
      groups.set(key(facets), group);
      group.entities = Number(group.entities) + 1;
      group.with_data = Number(group.with_data) + (e.has_data ?? 0);
      for (const c of ['critical', 'high', 'medium', 'low', 'info'] as const) group[c] = Number(group[c]) + (e[c] ?? 0);
    }
    const facets = (await db.selectFrom('entity_facet_rollups').selectAll().where('entities', '>', 0).execute()).map((r) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, typeof x === 'string' && !k.endsWith('_ref') && !k.endsWith('_key') && k !== 'scope' ? Number(x) : x])));
    expect(byKey(facets)).toEqual(byKey([...groups.values()]));

    const links = await db.selectFrom('entity_links').select(['entity_id', 'target_id']).where('matched', '=', 1).where('target_id', 'is not', null).execute();
    const sharers = new Map<number, Set<number>>();
    for (const l of links) sharers.set(l.target_id as number, (sharers.get(l.target_id as number) ?? new Set()).add(l.entity_id));
    const sharing = await db.selectFrom('target_sharing').select(['target_id', 'entities']).where('entities', '>', 0).orderBy('target_id').execute();
    expect(sharing.map((r) => ({ target_id: r.target_id, entities: Number(r.entities) }))).toEqual([...sharers.entries()].map(([target_id, ids]) => ({ target_id, entities: ids.size })).sort((a, b) => a.target_id - b.target_id));
  };
  const expectMaintained = async () => {
    await expectFacetsMaintained();
    const expected = await live();
    expect(expected.length).toBeGreaterThan(0);
    expect(await stored()).toEqual(expected);
    await expectSortKeysMaintained();
  };

  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind), { allowSelfApproval: true });
    dir = mkdtempSync(join(tmpdir(), 'lantern-rollups-'));
    cpSync(join(import.meta.dirname, 'testdata/catalog'), dir, { recursive: true });
  });
  afterEach(async () => {
    await lantern.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Many writes and a full comparison after each: a loaded CI machine needs the 90 s.
  it('equals the live sums after ingests, baseline changes, exemptions, catalog refreshes and unregistering', async () => {
    await ingest('acme/payments', 'acme.payments', 'main', [lodash, minimist]);
    const { location } = await lantern.catalog.register(join(dir, 'locations.yaml'), parseScope('acme.payments'));
    await expectMaintained();
    expect((await stored()).reduce((n, r) => n + r.critical, 0)).toBe(1);

    // A new scan, a new linked target, another variant made the baseline.
    await ingest('acme/payments', 'acme.payments', 'main', [lodash, qs]);
    await ingest('acme/billing', 'acme.payments', 'main', [minimist]);
    await expectMaintained();
    const payments = await lantern.store.db.selectFrom('targets').select('id').where('name_key', '=', 'acme/payments').executeTakeFirstOrThrow();
    await ingest('acme/payments', 'acme.payments', 'release', [minimist]);
    await lantern.setBaseline(payments.id, { variant: 'release' });
    await expectMaintained();
    // A scan of the variant typo-service names: two entities now show acme/payments, and the
    // overview counts its issues once.
    expect(await lantern.store.db.selectFrom('target_sharing').select('entities').where('entities', '>', 1).execute()).toEqual([]);
    await ingest('acme/payments', 'acme.payments', 'release-9', [qs]);
    expect(await lantern.store.db.selectFrom('target_sharing').select('entities').where('entities', '>', 1).execute()).toEqual([{ entities: 2 }]);
    await expectMaintained();

    // An approved exemption takes its issue out of the counts.
    const issue = await lantern.store.db.selectFrom('issues').select('id').where('target_id', '=', payments.id).where('vulnerability_id', '=', minimist.id).executeTakeFirstOrThrow();
    const exemption = await lantern.requestExemption({ issueId: issue.id, reason: 'accepted_risk', comment: 'Not reachable.' });
    await lantern.decideExemption(exemption.id, 'approved');
    await expectMaintained();

    // A refresh that moves an entity to another owner and system, and removes another.
    const file = join(dir, 'catalog-info.yaml');
    const yaml = readFileSync(file, 'utf8');
    const docs = yaml.split('\n---\n');
    const edited = docs
      .filter((doc) => !doc.includes('name: no-links'))
      .map((doc) => (doc.includes('name: payments-api') ? doc.replace('owner: team-pay', 'owner: team-shop').replace('system: payments', 'system: other') : doc));
    expect(edited.length).toBe(docs.length - 1);
    writeFileSync(file, edited.join('\n---\n'));
    await lantern.refreshLocation(location.id);
    await expectMaintained();
    await lantern.store.db.updateTable('entities').set({ owner_ref: 'group:default/elsewhere', system_ref: null }).where('name', '=', 'payments-api').execute();
    await expectMaintained();

    await lantern.unregisterLocation(location.id);
    expect(await lantern.store.db.selectFrom('entity_sort_keys').select('entity_id').execute()).toEqual([]);
    await expectFacetsMaintained();
    const left = await lantern.store.db.selectFrom('entity_rollups').selectAll().execute();
    expect(left.every((r) => [r.entities, r.with_data, r.critical, r.high, r.medium, r.low, r.info].every((n) => Number(n) === 0))).toBe(true);
  }, 90_000);

  // A link rewritten with the same target, entity and matched (a new similar-name hint, say) leaves
  // target_sharing alone (0039-link-sharing-when.ts); a change of any of them recounts. The row is
  // removed first so that a recount, which would write it back, shows.
  it('recounts who shows a target only when a link of it changes target, entity or matched', async () => {
    await ingest('acme/payments', 'acme.payments', 'main', [lodash]);
    await lantern.catalog.register(join(dir, 'locations.yaml'), parseScope('acme.payments'));
    const { db } = lantern.store;
    const target = await db.selectFrom('targets').select('id').where('name_key', '=', 'acme/payments').executeTakeFirstOrThrow();
    const sharing = async () => (await db.selectFrom('target_sharing').select('entities').where('target_id', '=', target.id).execute()).map((r) => Number(r.entities));
    const shown = await sharing();
    expect(shown).toHaveLength(1);
    expect(shown[0]).toBeGreaterThan(0);
    await db.deleteFrom('target_sharing').where('target_id', '=', target.id).execute();

    await sql`update entity_links set matched = matched, target_id = target_id, entity_id = entity_id, diagnostics = diagnostics || '' where target_id = ${target.id}`.execute(db);
    expect(await sharing()).toEqual([]);
    const matched = (await db.selectFrom('entity_links').select('id').where('target_id', '=', target.id).where('matched', '=', 1).execute()).map((r) => r.id);
    await db.updateTable('entity_links').set({ matched: 0 }).where('id', 'in', matched).execute();
    expect(await sharing()).toEqual([0]);
    await db.updateTable('entity_links').set({ matched: 1 }).where('id', 'in', matched).execute();
    expect(await sharing()).toEqual(shown);
  });
});
