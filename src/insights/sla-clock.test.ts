import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { grypeReport, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { startTestServer, type TestServer } from '../../test/support/server.js';
import { describeEachStore } from '../../test/support/stores.js';
import { parseScope } from '../domain/scope.js';
import type { EntityIssue } from './entity-issues.js';
import type { EntitySla } from './sla-clock.js';

const CRIT: Vulnerability = { id: 'CVE-2024-0001', pkg: 'crit', version: '1.0.0', severity: 'CRITICAL' };
const HIGH: Vulnerability = { id: 'CVE-2024-0002', pkg: 'high', version: '1.0.0', severity: 'HIGH' };
const MED: Vulnerability = { id: 'CVE-2024-0003', pkg: 'med', version: '1.0.0', severity: 'MEDIUM' };
const LOW: Vulnerability = { id: 'CVE-2024-0005', pkg: 'low', version: '1.0.0', severity: 'LOW' };
const FALSE: Vulnerability = { id: 'CVE-2024-0004', pkg: 'noise', version: '1.0.0', severity: 'HIGH' };

function catalog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-sla-clock-'));
  const file = join(dir, 'catalog-info.yaml');
  writeFileSync(
    file,
    ['apiVersion: backstage.io/v1alpha1', 'kind: Component', 'metadata:', '  name: app', '  annotations:', '    harness.io/sto-test-target: \'[{"name": "acme/app"}]\'', 'spec:', '  type: service', '  lifecycle: production', '  owner: team-a', ''].join('\n'),
  );
  return file;
}

describeEachStore('SLA clock', (kind) => {
  let server: TestServer;
  let now = '2024-03-01T00:00:00.000Z';
  const ingest = (vulns: Vulnerability[], scannedAt: string) => {
    now = scannedAt;
    return server.lantern.ingest({ report: Buffer.from(trivyReport(vulns)), source: `${scannedAt}.json`, target: 'acme/app', targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), baseline: true, scannedAt });
  };
  const get = async <T>(path: string): Promise<T> => {
    const response = await server.app.inject({ method: 'GET', url: `/api/insights/entities/component/default/app/${path}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as T;
  };
  const issues = async () => new Map((await get<{ items: EntityIssue[] }>('issues?limit=500')).items.map((i) => [i.package, i]));

  beforeEach(async () => {
    server = await startTestServer(kind, { clock: () => now, allowSelfApproval: true });
    await server.lantern.registerLocation(catalog(), parseScope('acme.pay'));
  });
  afterEach(async () => server.close());

  it('restarts the clock of a re-opened issue, adds exempted days back, and records each fix against its SLA', async () => {
    await ingest([CRIT, HIGH, MED, FALSE], '2024-03-01T00:00:00.000Z');
    const ids = new Map([...(await issues()).values()].map((i) => [i.package, i.id]));
    // HIGH exempted from 03-10 to 03-20: ten days paused.
    now = '2024-03-10T00:00:00.000Z';
    const exemption = await server.lantern.requestExemption({ issueId: ids.get('high'), reason: 'fix_unavailable', comment: 'waiting on upstream', expiresAt: '2024-03-20T00:00:00.000Z' });
    await server.lantern.decideExemption(exemption.id, 'approved');
    const fp = await server.lantern.requestExemption({ issueId: ids.get('noise'), reason: 'false_positive', comment: 'not reachable', expiresAt: '2024-12-01T00:00:00.000Z' });
    await server.lantern.decideExemption(fp.id, 'approved');

    // CRIT fixed within its 7 days, MED and the false positive fixed too.
    await ingest([HIGH], '2024-03-05T00:00:00.000Z');
    // CRIT comes back: its clock starts again.
    await ingest([CRIT, HIGH], '2024-03-25T00:00:00.000Z');
    now = '2024-03-30T00:00:00.000Z';

    const open = await issues();
    expect(open.get('crit')?.sla).toEqual({ state: 'due-soon', dueDate: '2024-04-01', daysLeft: 2, cappedByKev: false, clockStartedAt: '2024-03-25T00:00:00.000Z', reopened: true, pausedDays: 0 });
    // First seen 03-01, 30 days, 10 paused: due 04-10, not 03-31.
    expect(open.get('high')?.sla).toEqual({ state: 'within', dueDate: '2024-04-10', daysLeft: 11, cappedByKev: false, clockStartedAt: '2024-03-01T00:00:00.000Z', reopened: false, pausedDays: 10 });

    const sla = await get<EntitySla>('sla?days=90');
    expect(sla.open).toEqual({ within: 1, 'due-soon': 1, breached: 0, paused: 0, none: 0 });
    expect(sla.remediated.map((r) => [r.package, r.fixedAt, r.fixedWithinSla, r.daysToFix, r.falsePositive])).toEqual([
      ['crit', '2024-03-05T00:00:00.000Z', true, 4, false],
      ['med', '2024-03-05T00:00:00.000Z', true, 4, false],
      ['noise', '2024-03-05T00:00:00.000Z', true, 4, true],
    ]);
    // The false positive is not a fix.
    expect(sla.remediation).toMatchObject({ fixed: 2, fixedWithinSla: 2, fixedLate: 0, slaCompliance: 100, mttrDays: 4 });
    expect(sla.remediation.bySeverity.critical).toMatchObject({ fixed: 1, mttrDays: 4 });
    expect(sla.remediation.bySeverity.low).toEqual({ fixed: 0, fixedWithinSla: 0, fixedLate: 0, slaCompliance: null, mttrDays: null });
    expect(sla.remediation.targets).toEqual([expect.objectContaining({ name: 'acme/app', variant: 'main', fixed: 2, mttrDays: 4 })]);

    // A fix after the due date is late; the period leaves older fixes out.
    // (Not the report of 03-05 again: the same bytes are a duplicate and change nothing.)
    await ingest([HIGH, LOW], '2024-04-05T00:00:00.000Z');
    now = '2024-04-06T00:00:00.000Z';
    const later = await get<EntitySla>('sla?days=3');
    expect(later.remediated.map((r) => [r.package, r.clockStartedAt, r.dueDate, r.fixedWithinSla, r.daysToFix])).toEqual([['crit', '2024-03-25T00:00:00.000Z', '2024-04-01', false, 11]]);
    expect(later.remediation).toMatchObject({ fixed: 1, fixedWithinSla: 0, fixedLate: 1, slaCompliance: 0, mttrDays: 11 });
  });

  it('keeps the days an exemption paused the clock when it is revoked before its expiry', async () => {
    await ingest([HIGH, MED], '2024-03-01T00:00:00.000Z');
    const ids = new Map([...(await issues()).values()].map((i) => [i.package, i.id]));
    now = '2024-03-10T00:00:00.000Z';
    const approved = await server.lantern.requestExemption({ issueId: ids.get('high'), reason: 'fix_unavailable', comment: 'waiting on upstream', expiresAt: '2024-04-30T00:00:00.000Z' });
    await server.lantern.decideExemption(approved.id, 'approved');
    // A request that was never approved pauses nothing, cancelled or not.
    const pending = await server.lantern.requestExemption({ issueId: ids.get('med'), reason: 'fix_unavailable', comment: 'maybe later', expiresAt: '2024-04-30T00:00:00.000Z' });
    now = '2024-03-20T00:00:00.000Z';
    await server.lantern.cancelExemption(pending.id);
    await server.lantern.revokeExemption(approved.id);
    now = '2024-03-25T00:00:00.000Z';
    const open = await issues();
    // Exempted from 03-10 to its revocation on 03-20: due 03-31 + 10 days, and no longer paused.
    expect(open.get('high')?.sla).toMatchObject({ state: 'within', dueDate: '2024-04-10', pausedDays: 10 });
    expect(open.get('med')?.sla).toMatchObject({ dueDate: '2024-05-30', pausedDays: 0 });
    // Fixed after 03-31 but before 04-10: within its SLA, and the verdict says why.
    await ingest([MED], '2024-04-05T00:00:00.000Z');
    const sla = await get<EntitySla>('sla');
    expect(sla.remediated.map((r) => [r.package, r.dueDate, r.fixedWithinSla, r.pausedDays, r.daysToFix])).toEqual([['high', '2024-04-10', true, 10, 35]]);
  });

  it('breaches an open issue past its due date and filters by SLA state', async () => {
    await ingest([CRIT, MED], '2024-03-01T00:00:00.000Z');
    now = '2024-03-12T00:00:00.000Z';
    const breached = (await get<{ items: EntityIssue[] }>('issues?sla=breached')).items;
    expect(breached.map((i) => [i.package, i.sla.daysLeft])).toEqual([['crit', -4]]);
    const sla = await get<EntitySla>('sla');
    expect(sla.open.breached).toBe(1);
    expect(sla.breachedBySeverity).toEqual({ critical: 1, high: 0, medium: 0, low: 0, info: 0 });
    expect(sla.remediation).toMatchObject({ fixed: 0, slaCompliance: null, mttrDays: null });
  });

  it('fixes an issue only when no scanner\'s latest scan of the variant reports it any more', async () => {
    const grype = (vulns: Vulnerability[], scannedAt: string) => {
      now = scannedAt;
      return server.lantern.ingest({ report: Buffer.from(grypeReport(vulns)), source: 'grype.json', target: 'acme/app', targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), baseline: true, scannedAt });
    };
    await ingest([HIGH, MED], '2024-03-01T00:00:00.000Z');
    await grype([HIGH], '2024-03-02T00:00:00.000Z');
    // Trivy no longer reports HIGH, Grype still does: only MED is fixed.
    await ingest([LOW], '2024-03-03T00:00:00.000Z');
    expect((await get<EntitySla>('sla')).remediated.map((r) => r.package)).toEqual(['med']);
    await grype([LOW], '2024-03-04T00:00:00.000Z');
    const sla = await get<EntitySla>('sla');
    expect(sla.remediated.map((r) => [r.package, r.fixedAt])).toEqual([['high', '2024-03-04T00:00:00.000Z'], ['med', '2024-03-03T00:00:00.000Z']]);
    expect(sla.open).toMatchObject({ within: 1 });
  });
});
