import { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { DEFAULT_PROJECT_SCOPE } from '../domain/scope.js';
import { type IngestRequest, ingestReport } from '../ingest/ingest.js';
import type { Store } from './database.js';
import { openClocksQuery } from './sla-clocks.js';

const ISSUES = 400;
const vulnerability = (i: number): Vulnerability => ({ id: `CVE-2026-${10000 + i}`, pkg: `pkg${i}`, version: '1.0.0', severity: 'HIGH' });
// The lock file's path differs by day (issues do not depend on it): a rescan of the same issues
// is a new upload, not the same report again.
const request = (indexes: readonly number[], scannedAt: string): IngestRequest => ({
  report: bytes(trivyReport(indexes.map(vulnerability), `${scannedAt.slice(0, 10)}/package-lock.json`)),
  source: 'report.json',
  target: 'acme/large',
  targetType: 'repository',
  variant: 'main',
  scope: DEFAULT_PROJECT_SCOPE,
  scannedAt,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

describeEachStore('SLA clocks of a large target', (kind: StoreKind) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  const clocks = () => store.db.selectFrom('sla_clocks').innerJoin('issues', 'issues.id', 'sla_clocks.issue_id').select(['issues.vulnerability_id', 'sla_clocks.clock_from', 'sla_clocks.fixed_at']).orderBy('sla_clocks.id').execute();

  it('opens a clock once per issue, fixes those a rescan drops and reopens one that comes back from then', async () => {
    await ingestReport(store, request(range(0, ISSUES), '2026-11-01T00:00:00.000Z'));
    await ingestReport(store, request(range(0, ISSUES), '2026-11-02T00:00:00.000Z'));
    expect(await clocks()).toHaveLength(ISSUES);
    // The first half fixed, then the first issue back.
    await ingestReport(store, request(range(ISSUES / 2, ISSUES), '2026-11-03T00:00:00.000Z'));
    await ingestReport(store, request([0, ...range(ISSUES / 2, ISSUES)], '2026-11-04T00:00:00.000Z'));
    const all = await clocks();
    expect(all).toHaveLength(ISSUES + 1);
    expect(all.filter((c) => c.fixed_at === '2026-11-03T00:00:00.000Z')).toHaveLength(ISSUES / 2);
    expect(all.filter((c) => c.fixed_at === null).map((c) => c.vulnerability_id)).toEqual([...range(ISSUES / 2, ISSUES), 0].map((i) => vulnerability(i).id));
    expect(all.at(-1)).toEqual({ vulnerability_id: vulnerability(0).id, clock_from: '2026-11-04T00:00:00.000Z', fixed_at: null });
    expect(all[1]?.clock_from).toBe('2026-11-01T00:00:00.000Z');
  });

  it.runIf(kind === 'postgres')('looks up each issue’s open clock by index, whatever the statistics say (none before ANALYZE)', async () => {
    await ingestReport(store, request(range(0, ISSUES), '2026-11-01T00:00:00.000Z'));
    const rescan = await ingestReport(store, request(range(0, ISSUES), '2026-11-02T00:00:00.000Z'));
    const variant = await store.db.selectFrom('scans').select('variant_id').where('id', '=', rescan.scanId).executeTakeFirstOrThrow();
    // The schema is new and the test server runs without autovacuum: as after a new target's first
    // scans, before autovacuum has analysed their rows, the planner has no statistics. With them
    // it would plan a hash anti-join, which the assertion below refuses too.
    const query = openClocksQuery(store.db, rescan.scanId, variant.variant_id, '2026-11-02T00:00:00.000Z').compile();
    const plan = (await store.db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]))).rows.map((r) => r['QUERY PLAN']).join('\n');
    // Planned as an anti-join from no statistics, it compared every issue with every open clock.
    expect(plan).not.toMatch(/Anti Join/);
    expect(plan).toMatch(/Index (Only )?Scan using sla_clocks_open on sla_clocks c/);
  });
});
