import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport } from '../../test/support/reports.js';
import { describeEachStore, openTestStore } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import { Lantern } from '../lantern.js';
import { rehearsals, rehearseIngest } from './rehearsal.js';

const CATALOG = fileURLToPath(new URL('../catalog/testdata/store/catalog-info.yaml', import.meta.url));
const TABLES = [
  'targets', 'variants', 'scans', 'issues', 'scan_issues', 'occurrences', 'entity_links', 'entity_summaries', 'summary_history', 'scorecard_results', 'scorecard_history',
  'trend_changes', 'trend_facet_changes', 'scorecard_trend_changes', 'scorecard_trend_facet_changes', 'scorecard_tallies', 'scorecard_check_tallies', 'audit_log',
  'notification_deliveries', 'sla_clocks', 'search_terms', 'issue_search_terms', 'scan_search_terms', 'variant_tallies',
];

// The start-up rehearsal of an ingest (PostgreSQL) keeps nothing it wrote; SQLite skips it.
describeEachStore('the rehearsal of an ingest', (kind) => {
  let lantern: Lantern;
  beforeEach(async () => {
    lantern = new Lantern(await openTestStore(kind), { clock: () => '2026-03-02T10:00:00.000Z' });
  });
  afterEach(async () => lantern.close());

  const everything = async () => {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES) out[table] = (await sql`select * from ${sql.table(table)}`.execute(lantern.store.db)).rows.map((r) => JSON.stringify(r)).sort();
    return out;
  };

  it('runs on PostgreSQL twice on each connection but one through every hook, its target linked to an entity, and leaves every table as it was', async () => {
    await lantern.catalog.register(CATALOG, parseScope('acme.pay'));
    await lantern.ingest({ report: bytes(trivyReport([{ id: 'CVE-2024-1000', pkg: 'a', version: '1.0.0', severity: 'HIGH' }])), source: 'trivy.json', target: 'registry.acme.io/payments', targetType: 'container', variant: 'latest', scope: parseScope('acme.pay'), scannedAt: '2026-03-01T00:00:00.000Z' });
    // And the similar-name hints it queued, refreshed after its commit (catalog/link-hints.ts).
    await lantern.linkHints.settled();
    const before = await everything();
    expect(before.entity_summaries?.length).toBeGreaterThan(0);
    expect(before.scorecard_results?.length).toBeGreaterThan(0);
    const counted = { ...rehearsals };
    // Inside it, as the last hook but its own: the new target is linked to the first entity and shown by it.
    const shown: number[][] = [];
    const backends: number[] = [];
    lantern.afterIngest.push(async (trx, scan) => {
      shown.push((await trx.selectFrom('entity_links').select('entity_id').where('target_id', '=', scan.targetId).where('matched', '=', 1).execute()).map((r) => r.entity_id));
      if (kind === 'postgres') backends.push((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]?.pid as number);
    });
    const result = await rehearseIngest(lantern);
    lantern.afterIngest.pop();
    const first = (await lantern.store.db.selectFrom('entities').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
    // The test store's pool holds 4 connections: 3 rehearsed, twice each, one after the other.
    expect(result.connections).toBe(kind === 'postgres' ? 3 : 0);
    expect(shown).toEqual(kind === 'postgres' ? Array.from({ length: 6 }, () => [first]) : []);
    expect(new Set(backends).size).toBe(kind === 'postgres' ? 3 : 0);
    expect(backends.filter((pid, i) => i % 2 === 1 && pid !== backends[i - 1])).toEqual([]);
    expect(before.scorecard_history?.length).toBeGreaterThan(0);
    expect(result.rehearsed).toBe(kind === 'postgres');
    expect(rehearsals).toEqual(kind === 'postgres' ? { run: counted.run + 1, skipped: counted.skipped } : { run: counted.run, skipped: counted.skipped + 1 });
    expect(await everything()).toEqual(before);
    // The store is as usable as before: a real ingest after it is stored.
    await lantern.ingest({ report: bytes(trivyReport([{ id: 'CVE-2024-2000', pkg: 'b', version: '1.0.0', severity: 'LOW' }])), source: 'trivy.json', target: 'registry.acme.io/payments', targetType: 'container', variant: 'latest', scope: parseScope('acme.pay') });
    expect((await everything()).scans).toHaveLength((before.scans?.length ?? 0) + 1);
  });

  it('runs without any entity, keeping nothing', async () => {
    const before = await everything();
    await rehearseIngest(lantern);
    expect(await everything()).toEqual(before);
  });

  it('stops after the connection it is on when its signal aborts, keeping nothing', async () => {
    await lantern.catalog.register(CATALOG, parseScope('acme.pay'));
    const before = await everything();
    const stop = new AbortController();
    let ingests = 0;
    lantern.afterIngest.push(async () => {
      if (++ingests === 1) stop.abort();
    });
    const result = await rehearseIngest(lantern, { signal: stop.signal });
    lantern.afterIngest.pop();
    expect(result.connections).toBe(kind === 'postgres' ? 1 : 0);
    expect(ingests).toBe(kind === 'postgres' ? 2 : 0);
    expect(await everything()).toEqual(before);
  });
});
