import type { Kysely } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { grypeReport, trivyReport, type Vulnerability } from '../../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../../test/support/server.js';
import { describeEachStore } from '../../../test/support/stores.js';
import { parseScope } from '../../domain/scope.js';
import { rebuildSlaClocks } from './0015-sla-fix-verdicts.js';

const A: Vulnerability = { id: 'CVE-2024-2001', pkg: 'a', version: '1.0.0', severity: 'CRITICAL' };
const B: Vulnerability = { id: 'CVE-2024-2002', pkg: 'b', version: '1.0.0', severity: 'HIGH' };
const C: Vulnerability = { id: 'CVE-2024-2003', pkg: 'c', version: '1.0.0', severity: 'MEDIUM' };
const B_LOW: Vulnerability = { ...B, severity: 'LOW' };

describeEachStore('migration 0015: SLA clocks rebuilt from the scan history', (kind) => {
  let server: TestServer;
  let now = '2024-03-01T00:00:00.000Z';
  const ingest = (report: string, variant: string, scannedAt: string) => {
    now = scannedAt;
    return server.lantern.ingest({ report: Buffer.from(report), source: `${variant}-${scannedAt}.json`, target: 'acme/app', targetType: 'repository', variant, scope: parseScope('acme.pay'), baseline: variant === 'main', scannedAt });
  };
  const clocks = () =>
    server.lantern.store.db
      .selectFrom('sla_clocks')
      .select(['variant_id', 'issue_id', 'opened_at', 'clock_from', 'fixed_at', 'fixed_scan_id', 'severity'])
      .orderBy('variant_id')
      .orderBy('issue_id')
      .orderBy('opened_at')
      .execute();

  beforeEach(async () => {
    server = await startTestServer(kind, { clock: () => now });
  });
  afterEach(async () => server.close());

  it('gives, from the scans alone, the clocks ingest wrote: re-opened stretches, two scanners, two variants', async () => {
    await ingest(trivyReport([A, B]), 'main', '2024-03-01T00:00:00.000Z');
    await ingest(grypeReport([B]), 'main', '2024-03-02T00:00:00.000Z');
    // Trivy drops B and A: A is fixed, B stays (Grype still reports it).
    await ingest(trivyReport([C]), 'main', '2024-03-03T00:00:00.000Z');
    // Grype drops B, rated low by then: fixed, with the severity its scanner last gave it.
    await ingest(grypeReport([B_LOW]), 'main', '2024-03-04T00:00:00.000Z');
    await ingest(grypeReport([]), 'main', '2024-03-05T00:00:00.000Z');
    // A comes back: a new stretch whose clock starts again; C is fixed.
    await ingest(trivyReport([A]), 'main', '2024-03-10T00:00:00.000Z');
    // Another variant keeps its own clocks: a first stretch there counts from first seen in the target.
    await ingest(trivyReport([A, C]), 'feature', '2024-03-11T00:00:00.000Z');
    await ingest(trivyReport([C]), 'feature', '2024-03-12T00:00:00.000Z');
    const live = await clocks();
    expect(live.map((c) => [c.clock_from.slice(5, 10), c.fixed_at?.slice(5, 10) ?? null, c.severity])).toEqual([
      // main: A twice, B, C; feature: A, C.
      ['03-01', '03-03', 4],
      ['03-10', null, 4],
      ['03-01', '03-05', 1],
      ['03-03', '03-10', 2],
      ['03-01', '03-12', 4],
      ['03-03', null, 2],
    ]);

    // As before 0013: no clock at all. The rebuild finds every stretch, fixes included.
    await server.lantern.store.db.deleteFrom('sla_clocks').execute();
    await rebuildSlaClocks(server.lantern.store.db as unknown as Kysely<unknown>);
    expect(await clocks()).toEqual(live);
  });

  it('judges rebuilt fixes once, with the policy in force then, and keeps the verdict', async () => {
    await ingest(trivyReport([A, B]), 'main', '2024-03-01T00:00:00.000Z');
    await ingest(trivyReport([B]), 'main', '2024-03-20T00:00:00.000Z');
    await server.lantern.store.db.deleteFrom('sla_clocks').execute();
    await rebuildSlaClocks(server.lantern.store.db as unknown as Kysely<unknown>);
    const unjudged = () => server.lantern.store.db.selectFrom('sla_clocks').select(['due_date', 'fixed_within_sla', 'days_to_fix', 'paused_days', 'judged_at']).where('fixed_at', 'is not', null).execute();
    expect(await unjudged()).toEqual([{ due_date: null, fixed_within_sla: null, days_to_fix: null, paused_days: null, judged_at: null }]);
    now = '2024-03-21T00:00:00.000Z';
    expect(await server.lantern.recordFixVerdicts()).toBe(1);
    expect(await unjudged()).toEqual([{ due_date: '2024-03-08', fixed_within_sla: 0, days_to_fix: 19, paused_days: 0, judged_at: now }]);
    expect(await server.lantern.recordFixVerdicts()).toBe(0);
  });
});
