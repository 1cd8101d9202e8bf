import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScope } from '../../src/domain/scope.js';
import type { Lantern } from '../../src/lantern.js';
import { bytes, trivyReport, type Vulnerability } from './reports.js';

/**
 * A small catalog with a known history of fixes, for the SLA compliance dashboard (API and UI):
 *
 * - `app` (team-a, system billing of domain money) shows acme/app: CRIT, HIGH, MED and NOISE seen
 *   03-01; CRIT and MED fixed 03-05 (4 days, within 7 and 90), NOISE too (a false positive: not a
 *   fix); HIGH fixed 04-10 (40 days, late: due 03-31).
 * - `api` (team-b, system billing) and `lib` (team-b, no system) both show acme/api: CRIT2 and LOW
 *   seen 03-01, CRIT2 fixed 03-20 (19 days, late: due 03-08); LOW still open. team-b counts it once.
 * - `idle` (team-c) shows acme/idle: a false positive fixed 03-05, nothing else: "no fixes".
 *
 * The clock then stands at 04-15: over 90 days, 4 fixes, 2 within SLA (50 %), MTTR 16.8 days;
 * over 30 days (from 03-16), HIGH and CRIT2: 0 %, MTTR 29.5 days.
 */
export const SLA_HISTORY_NOW = '2024-04-15T00:00:00.000Z';

const CRIT: Vulnerability = { id: 'CVE-2024-1001', pkg: 'crit', version: '1.0.0', severity: 'CRITICAL' };
const HIGH: Vulnerability = { id: 'CVE-2024-1002', pkg: 'high', version: '1.0.0', severity: 'HIGH' };
const MED: Vulnerability = { id: 'CVE-2024-1003', pkg: 'med', version: '1.0.0', severity: 'MEDIUM' };
const NOISE: Vulnerability = { id: 'CVE-2024-1004', pkg: 'noise', version: '1.0.0', severity: 'HIGH' };
const CRIT2: Vulnerability = { id: 'CVE-2024-1005', pkg: 'crit2', version: '1.0.0', severity: 'CRITICAL' };
const LOW: Vulnerability = { id: 'CVE-2024-1006', pkg: 'low', version: '1.0.0', severity: 'LOW' };
const IDLE: Vulnerability = { id: 'CVE-2024-1007', pkg: 'idle', version: '1.0.0', severity: 'MEDIUM' };

const component = (name: string, owner: string, system: string | null, target: string) =>
  [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    `  name: ${name}`,
    '  annotations:',
    `    harness.io/sto-test-target: '[{"name": "${target}"}]'`,
    'spec:',
    '  type: service',
    '  lifecycle: production',
    `  owner: group:default/${owner}`,
    ...(system ? [`  system: system:default/${system}`] : []),
    '',
  ].join('\n');

const CATALOG = [
  'apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata:\n  name: money\nspec:\n  owner: team-a\n',
  'apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata:\n  name: billing\nspec:\n  owner: team-a\n  domain: money\n',
  component('app', 'team-a', 'billing', 'acme/app'),
  component('api', 'team-b', 'billing', 'acme/api'),
  component('lib', 'team-b', null, 'acme/api'),
  component('idle', 'team-c', null, 'acme/idle'),
].join('---\n');

/** Builds the history on a Lantern whose clock reads `clock.now`; leaves the clock at SLA_HISTORY_NOW. Returns a cleanup. */
export async function buildSlaHistory(lantern: Lantern, clock: { now: string }): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'lantern-sla-history-'));
  writeFileSync(join(dir, 'catalog-info.yaml'), CATALOG);
  clock.now = '2024-03-01T00:00:00.000Z';
  await lantern.registerLocation(join(dir, 'catalog-info.yaml'), parseScope('acme.pay'));
  const scan = (target: string, vulns: Vulnerability[], scannedAt: string) => {
    clock.now = scannedAt;
    return lantern.ingest({ report: bytes(trivyReport(vulns)), source: `${target}-${scannedAt}.json`, target, targetType: 'repository', variant: 'main', scope: parseScope('acme.pay'), baseline: true, scannedAt });
  };
  await scan('acme/app', [CRIT, HIGH, MED, NOISE], '2024-03-01T00:00:00.000Z');
  await scan('acme/api', [CRIT2, LOW], '2024-03-01T00:00:00.000Z');
  await scan('acme/idle', [IDLE], '2024-03-01T00:00:00.000Z');
  clock.now = '2024-03-02T00:00:00.000Z';
  for (const [target, pkg] of [
    ['acme/app', 'noise'],
    ['acme/idle', 'idle'],
  ] as const) {
    const issue = await lantern.store.db
      .selectFrom('issues')
      .innerJoin('targets', 'targets.id', 'issues.target_id')
      .select('issues.id')
      .where('targets.name', '=', target)
      .where('issues.package', '=', pkg)
      .executeTakeFirstOrThrow();
    const exemption = await lantern.requestExemption({ issueId: issue.id, reason: 'false_positive', comment: 'not reachable' });
    await lantern.decideExemption(exemption.id, 'approved');
  }
  await scan('acme/app', [HIGH], '2024-03-05T00:00:00.000Z');
  await scan('acme/idle', [], '2024-03-05T00:00:00.000Z');
  await scan('acme/api', [LOW], '2024-03-20T00:00:00.000Z');
  await scan('acme/app', [], '2024-04-10T00:00:00.000Z');
  clock.now = SLA_HISTORY_NOW;
  return () => rmSync(dir, { recursive: true, force: true });
}
