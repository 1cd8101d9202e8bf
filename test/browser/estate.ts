import { join } from 'node:path';
import type { DemoClock } from '../../src/demo/estate.js';
import { DEFAULT_PROJECT_SCOPE } from '../../src/domain/scope.js';
import type { Lantern, LanternOptions } from '../../src/lantern.js';
import { bytes, grypeReport, trivyReport, type Vulnerability } from '../support/reports.js';

/**
 * The small estate the browser tests open, built through Lantern as `lantern catalog register`
 * and `lantern ingest` would: testdata/catalog-info.yaml and the scans below, with the built-in
 * Security baseline and testdata/scorecards.yaml evaluated as of each scan's day.
 */

export const CATALOG = join(import.meta.dirname, 'testdata', 'catalog-info.yaml');
export const SCORECARDS = join(import.meta.dirname, 'testdata', 'scorecards.yaml');

/** The Lantern the estate is built into: a clock that reads each scan's time while it is built, and the test scorecard. */
export function estateOptions(clock: DemoClock): LanternOptions {
  return { clock: clock.now, scorecards: { paths: [SCORECARDS] } };
}

/** payments' image, as Trivy saw it: 2 critical, 3 high, 1 medium, 1 low; 5 with a fixed version. */
export const IMAGE_VULNERABILITIES: Vulnerability[] = [
  { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'CRITICAL', fixed: '4.17.21' },
  { id: 'CVE-2022-23529', pkg: 'jsonwebtoken', version: '8.5.1', severity: 'CRITICAL', fixed: '9.0.0' },
  { id: 'CVE-2022-24999', pkg: 'qs', version: '6.5.2', severity: 'HIGH', fixed: '6.5.3' },
  { id: 'CVE-2022-25883', pkg: 'semver', version: '5.7.1', severity: 'HIGH', fixed: '5.7.2' },
  { id: 'CVE-2023-26136', pkg: 'tough-cookie', version: '2.5.0', severity: 'HIGH' },
  { id: 'CVE-2023-45857', pkg: 'axios', version: '0.21.4', severity: 'MEDIUM', fixed: '1.6.0' },
  { id: 'CVE-2022-33987', pkg: 'got', version: '9.6.0', severity: 'LOW' },
];

/** The image ten days earlier: lodash and qs are still there, minimist was fixed since. */
export const EARLIER_IMAGE_VULNERABILITIES: Vulnerability[] = [
  { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'CRITICAL', fixed: '4.17.21' },
  { id: 'CVE-2022-24999', pkg: 'qs', version: '6.5.2', severity: 'HIGH', fixed: '6.5.3' },
  { id: 'CVE-2021-44906', pkg: 'minimist', version: '1.2.5', severity: 'CRITICAL', fixed: '1.2.6' },
];

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

/** Grype on the same image: one CVE Trivy also reports (one issue, two scanners). */
export const GRYPE_VULNERABILITIES: Vulnerability[] = [{ id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'CRITICAL', fixed: '4.17.21' }];

export const REPOSITORY_COMMIT = '3f2c1a9b7e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b';

/** Semgrep on payments' repository: findings with line ranges, so the drawer links to exact lines. */
export function semgrepRepositoryReport(): string {
  const finding = (rule: string, path: string, start: number, end: number, severity: string, message: string) => ({
    check_id: rule,
    path,
    start: { line: start, col: 5, offset: 0 },
    end: { line: end, col: 30, offset: 0 },
    extra: { message, severity, lines: 'query = "SELECT * FROM payments WHERE id = " + id', metadata: { cwe: ['CWE-89: SQL Injection'] }, fingerprint: `fp-${rule}-${path}` },
  });
  return JSON.stringify({
    results: [
      finding('java.lang.security.audit.sqli.jdbc-sqli', 'src/main/java/acme/PaymentRepository.java', 42, 44, 'ERROR', 'Detected a SQL query built from <b>user input</b>: use a prepared statement.'),
      finding('java.lang.security.audit.crypto.weak-hash', 'src/main/java/acme/Tokens.java', 17, 17, 'WARNING', 'MD5 is a weak hash.'),
    ],
    errors: [],
    version: '1.50.0',
  });
}

/**
 * Scorecards are evaluated as of the clock: the catalog and the first scan ten days ago, the next
 * scans yesterday, the rest now, so that each scorecard's trend has several days. For the Security
 * baseline, payments passes some checks and fails others; ledger (no data) also has unknown ones.
 */
export async function buildEstate(lantern: Lantern, clock: DemoClock): Promise<void> {
  const tenDaysAgo = daysAgo(10);
  const yesterday = daysAgo(1);
  clock.set(tenDaysAgo);
  await lantern.catalog.register(CATALOG, DEFAULT_PROJECT_SCOPE);
  const image = { target: 'registry.acme.io/payments', targetType: 'container' as const, variant: 'latest', scope: DEFAULT_PROJECT_SCOPE, baseline: true };
  await lantern.ingest({ ...image, report: bytes(trivyReport(EARLIER_IMAGE_VULNERABILITIES)), source: 'trivy.json', scannedAt: tenDaysAgo });
  clock.set(yesterday);
  await lantern.ingest({ ...image, report: bytes(trivyReport(IMAGE_VULNERABILITIES)), source: 'trivy.json', scannedAt: yesterday });
  await lantern.ingest({ ...image, report: bytes(grypeReport(GRYPE_VULNERABILITIES)), source: 'grype.json', scannedAt: yesterday });
  clock.set(undefined);
  await lantern.ingest({
    target: 'acme/payments',
    targetType: 'repository',
    variant: 'main',
    scope: DEFAULT_PROJECT_SCOPE,
    baseline: true,
    commit: REPOSITORY_COMMIT,
    report: bytes(semgrepRepositoryReport()),
    source: 'semgrep.json',
  });
  // What ledger's link was meant to name: the "did you mean" of its diagnostic.
  await lantern.ingest({ target: 'acme/ledger', targetType: 'repository', variant: 'main', scope: DEFAULT_PROJECT_SCOPE, report: bytes(trivyReport([])), source: 'trivy.json' });
  // Time alone moves days since the last scan: evaluate once more as of now, as `lantern serve` does at start.
  await lantern.evaluateScorecards();
}
