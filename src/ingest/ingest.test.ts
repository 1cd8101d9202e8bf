import { afterEach, beforeEach, expect, it } from 'vitest';
import { bytes, grypeReport, semgrepReport, trivyReport, type Vulnerability } from '../../test/support/reports.js';
import { rowCounts } from '../../test/support/row-counts.js';
import { describeEachStore, openTestStore, type StoreKind } from '../../test/support/stores.js';
import { InputError } from '../domain/errors.js';
import { DEFAULT_PROJECT_SCOPE, parseScope } from '../domain/scope.js';
import type { Store } from '../store/database.js';
import { issuesOfScans } from '../store/issues.js';
import { currentScanIds } from '../store/scans.js';
import { getTarget, variantsOf } from '../store/targets.js';
import { type IngestRequest, ingestReport } from './ingest.js';

const lodash: Vulnerability = { id: 'CVE-2021-23337', pkg: 'lodash', version: '4.17.20', severity: 'HIGH', fixed: '4.17.21' };
const minimist: Vulnerability = { id: 'CVE-2021-44906', pkg: 'minimist', version: '1.2.5', severity: 'CRITICAL', fixed: '1.2.6' };
const qs: Vulnerability = { id: 'CVE-2022-24999', pkg: 'qs', version: '6.5.2', severity: 'MEDIUM' };

const request = (report: string, over: Partial<IngestRequest> = {}): IngestRequest => ({
  report: bytes(report),
  source: 'report.json',
  target: 'acme/payments',
  targetType: 'repository',
  variant: 'main',
  scope: DEFAULT_PROJECT_SCOPE,
  ...over,
});

describeEachStore('ingest', (kind: StoreKind) => {
  let store: Store;
  beforeEach(async () => {
    store = await openTestStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  async function issuesOf(target: string, variant: string) {
    const t = await getTarget(store.db, DEFAULT_PROJECT_SCOPE, target);
    const v = (await variantsOf(store.db, t.id)).find((x) => x.name === variant);
    const issues = await issuesOfScans(store.db, await currentScanIds(store.db, v ? [v.id] : []));
    return issues.map((i) => ({ id: i.vulnerabilityId ?? i.ruleId, severity: i.severity, scanners: i.scanners })).sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }

  it('records a first scan with every issue new', async () => {
    const result = await ingestReport(store, request(trivyReport([lodash, minimist, qs])));
    expect(result).toMatchObject({
      target: 'acme/payments',
      scope: 'default.default',
      variant: 'main',
      scanner: 'trivy',
      format: 'trivy',
      counts: { critical: 1, high: 1, medium: 1, low: 0, info: 0, total: 3 },
      new: 3,
      common: 0,
      remediated: 0,
      comparedScanId: null,
      duplicate: false,
    });
    expect(await issuesOf('acme/payments', 'main')).toEqual([
      { id: 'CVE-2021-23337', severity: 'high', scanners: ['trivy'] },
      { id: 'CVE-2021-44906', severity: 'critical', scanners: ['trivy'] },
      { id: 'CVE-2022-24999', severity: 'medium', scanners: ['trivy'] },
    ]);
  });

  it('finds one new and one remediated when a rescan fixes one issue and adds another', async () => {
    const first = await ingestReport(store, request(trivyReport([lodash, minimist])));
    const second = await ingestReport(store, request(trivyReport([lodash, qs])));
    expect(second).toMatchObject({ new: 1, common: 1, remediated: 1, comparedScanId: first.scanId });
    expect((await issuesOf('acme/payments', 'main')).map((i) => i.id)).toEqual(['CVE-2021-23337', 'CVE-2022-24999']);
  });

  it('compares a feature branch with the baseline, not with its own history', async () => {
    const baseline = await ingestReport(store, request(trivyReport([lodash, minimist]), { baseline: true, variant: 'release' }));
    const feature = await ingestReport(store, request(trivyReport([lodash, qs]), { variant: 'feature-x' }));
    expect(feature).toMatchObject({ new: 1, common: 1, remediated: 1, comparedScanId: baseline.scanId });
    // The baseline itself is compared with its own previous scan.
    const rescan = await ingestReport(store, request(trivyReport([lodash]), { variant: 'release' }));
    expect(rescan).toMatchObject({ new: 0, common: 1, remediated: 1, comparedScanId: baseline.scanId });
  });

  it('uses main as the baseline when none is set', async () => {
    const main = await ingestReport(store, request(trivyReport([lodash])));
    const feature = await ingestReport(store, request(trivyReport([lodash, qs]), { variant: 'feature-y' }));
    expect(feature).toMatchObject({ new: 1, common: 1, remediated: 0, comparedScanId: main.scanId });
  });

  it('never lets one scanner remediate what another reported', async () => {
    await ingestReport(store, request(trivyReport([lodash])));
    await ingestReport(store, request(semgrepReport([{ rule: 'js.eval', path: 'src/a.js', line: 3, severity: 'ERROR', snippet: 'eval(x)' }])));
    const trivyAgain = await ingestReport(store, request(trivyReport([lodash, qs])));
    expect(trivyAgain).toMatchObject({ new: 1, common: 1, remediated: 0 });
    expect((await issuesOf('acme/payments', 'main')).map((i) => i.id)).toEqual(['CVE-2021-23337', 'CVE-2022-24999', 'js.eval']);
  });

  it('makes Trivy and Grype reporting the same CVE in the same package one issue with two scanners', async () => {
    await ingestReport(store, request(trivyReport([lodash])));
    const grype = await ingestReport(store, request(grypeReport([{ ...lodash, severity: 'CRITICAL' }, qs])));
    expect(grype.scanner).toBe('grype');
    const issues = await issuesOf('acme/payments', 'main');
    expect(issues).toEqual([
      { id: 'CVE-2021-23337', severity: 'critical', scanners: ['grype', 'trivy'] },
      { id: 'CVE-2022-24999', severity: 'medium', scanners: ['grype'] },
    ]);
    const { n } = await store.db.selectFrom('issues').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(2);
  });

  it('keeps the scanner’s own title when another scanner of the same issue has none to give', async () => {
    const titled = JSON.parse(trivyReport([lodash]));
    titled.Results[0].Vulnerabilities[0].Title = 'lodash: command injection via template';
    await ingestReport(store, request(JSON.stringify(titled)));
    await ingestReport(store, request(grypeReport([lodash])));
    const title = async () => (await store.db.selectFrom('issues').select('title').executeTakeFirstOrThrow()).title;
    expect(await title()).toBe('lodash: command injection via template');
    // A title the scanner wrote still replaces an older one.
    titled.Results[0].Vulnerabilities[0].Title = 'lodash: command injection in template()';
    await ingestReport(store, request(JSON.stringify(titled), { variant: 'develop' }));
    expect(await title()).toBe('lodash: command injection in template()');
  });

  it('returns the existing scan for the same report bytes and writes nothing', async () => {
    const report = trivyReport([lodash, qs]);
    const first = await ingestReport(store, request(report));
    const before = await rowCounts(store);
    const again = await ingestReport(store, request(report, { baseline: true }));
    expect(again).toEqual({ ...first, duplicate: true });
    expect(await rowCounts(store)).toEqual(before);
    // The same bytes for another variant are a new scan.
    const other = await ingestReport(store, request(report, { variant: 'develop' }));
    expect(other.duplicate).toBe(false);
    expect(other.scanId).not.toBe(first.scanId);
  });

  it('matches target names case-insensitively and keeps the first spelling', async () => {
    await ingestReport(store, request(trivyReport([lodash]), { target: 'Acme/Payments' }));
    const second = await ingestReport(store, request(trivyReport([lodash, qs]), { target: 'acme/payments' }));
    expect(second).toMatchObject({ target: 'Acme/Payments', new: 1, common: 1 });
  });

  it('keeps targets of different scopes apart', async () => {
    await ingestReport(store, request(trivyReport([lodash])));
    const account = await ingestReport(store, request(trivyReport([lodash]), { scope: parseScope('account') }));
    const other = await ingestReport(store, request(trivyReport([lodash]), { scope: parseScope('acme.web') }));
    expect([account.scope, other.scope]).toEqual(['account', 'acme.web']);
    expect([account.new, other.new]).toEqual([1, 1]);
    const orgs = await store.db.selectFrom('orgs').select('identifier').orderBy('identifier').execute();
    expect(orgs.map((o) => o.identifier)).toEqual(['acme', 'default']);
  });

  it('records the scan metadata, occurrences and per-issue scan membership', async () => {
    const result = await ingestReport(
      store,
      request(trivyReport([lodash, minimist]), { commit: 'abc123', branch: 'main', pipelineUrl: 'https://ci/1', scannedAt: '2026-11-01T10:00:00Z' }),
    );
    const scan = await store.db.selectFrom('scans').selectAll().where('id', '=', result.scanId).executeTakeFirstOrThrow();
    expect(scan).toMatchObject({ commit_sha: 'abc123', branch: 'main', pipeline_url: 'https://ci/1', scanned_at: '2026-11-01T10:00:00.000Z', occurrences: 2, total: 2 });
    expect(scan.report_sha256).toMatch(/^[0-9a-f]{64}$/);
    const members = await store.db.selectFrom('scan_issues').select('issue_id').where('scan_id', '=', result.scanId).execute();
    expect(members).toHaveLength(2);
    const variant = await store.db.selectFrom('variants').selectAll().executeTakeFirstOrThrow();
    expect(variant.last_scan_at).toBe('2026-11-01T10:00:00.000Z');
  });

  it('lands every one of 8 concurrent ingests into one target, as sequential ones would', async () => {
    const reports = Array.from({ length: 8 }, (_, i) =>
      trivyReport([lodash, { id: `CVE-2026-${1000 + i}`, pkg: `pkg${i}`, version: '1.0.0', severity: 'LOW' }]),
    );
    const results = await Promise.all(reports.map((r, i) => ingestReport(store, request(r, { variant: `v${i % 2}` }))));
    expect(new Set(results.map((r) => r.scanId)).size).toBe(8);
    const issues = await store.db.selectFrom('issues').select('vulnerability_id').execute();
    expect(issues).toHaveLength(9);
  });

  it.each([
    ['truncated JSON', '{"SchemaVersion": 2, "Results": [', undefined, /^report\.json: not valid JSON/],
    ['a 0-byte file', '', undefined, /^report\.json: the file is empty \(0 bytes\)/],
    ['the text null', 'null', undefined, /^report\.json: the report is the JSON value null/],
    ['an empty object', '{}', undefined, /^report\.json: the report is an empty JSON object/],
    ['a Trivy report given as SARIF', trivyReport([lodash]), 'sarif', /^report\.json: does not look like SARIF 2\.1\.0: it looks like Trivy JSON; use --format trivy/],
    ['JSON nested 100 000 levels deep', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, undefined, /^report\.json: the JSON is nested more than 64 levels deep/],
  ])('rejects %s with one line naming the file and writes nothing', async (_what, report, format, message) => {
    await ingestReport(store, request(trivyReport([lodash])));
    const before = await rowCounts(store);
    const failure = ingestReport(store, request(report, { format, target: 'new/target' }));
    await expect(failure).rejects.toThrow(InputError);
    await expect(failure).rejects.toThrow(message);
    expect(await rowCounts(store)).toEqual(before);
  });

  it('rewrites an issue on a rescan only where its content changed', async () => {
    await ingestReport(store, request(trivyReport([{ ...lodash, fixed: undefined }]), { scannedAt: '2026-11-10T00:00:00Z' }));
    const read = () => store.db.selectFrom('issues').select(['fixed_version', 'description', 'first_seen_at', 'first_scan_id']).executeTakeFirstOrThrow();
    const first = await read();
    expect(first).toMatchObject({ fixed_version: null, description: 'Description of CVE-2021-23337.', first_seen_at: '2026-11-10T00:00:00.000Z' });
    // A fix version appears: stored.
    await ingestReport(store, request(trivyReport([lodash]), { scannedAt: '2026-11-11T00:00:00Z' }));
    expect((await read()).fixed_version).toBe('4.17.21');
    // A scanner that says nothing of the fix version leaves it; an older scan moves first seen back.
    const grype = await ingestReport(store, request(grypeReport([{ ...lodash, fixed: undefined }]), { scannedAt: '2026-11-01T00:00:00Z' }));
    expect(await read()).toMatchObject({ fixed_version: '4.17.21', description: 'Grype says CVE-2021-23337.', first_seen_at: '2026-11-01T00:00:00.000Z', first_scan_id: grype.scanId });
  });

  it('merges an issue met again in a later chunk: worst severity, occurrences added', async () => {
    const fillers = Array.from({ length: 1500 }, (_, i): Vulnerability => ({ id: `CVE-2026-${10000 + i}`, pkg: `pkg${i}`, version: '1.0.0', severity: 'LOW' }));
    const report = trivyReport([{ ...lodash, severity: 'LOW' }, ...fillers, { ...lodash, severity: 'CRITICAL' }]);
    const result = await ingestReport(store, request(report));
    expect(result.counts).toEqual({ critical: 1, high: 0, medium: 0, low: 1500, info: 0, total: 1501 });
    const issue = await store.db.selectFrom('issues').select('id').where('vulnerability_id', '=', lodash.id).executeTakeFirstOrThrow();
    const member = await store.db.selectFrom('scan_issues').selectAll().where('issue_id', '=', issue.id).executeTakeFirstOrThrow();
    expect(member).toMatchObject({ severity: 4, scanner_severity: 'CRITICAL', occurrences: 2, is_new: 1 });
    const places = await store.db.selectFrom('occurrences').select('id').where('issue_id', '=', issue.id).execute();
    expect(places).toHaveLength(2);
  });

  it('marks each issue of a rescan new or common as it writes it, in every chunk', async () => {
    const filler = (i: number): Vulnerability => ({ id: `CVE-2026-${10000 + i}`, pkg: `pkg${i}`, version: '1.0.0', severity: 'LOW' });
    const first = await ingestReport(store, request(trivyReport([lodash, ...Array.from({ length: 600 }, (_, i) => filler(i))])));
    // Again: lodash (first and last chunk), the even fillers of the first scan, and 300 fillers it
    // did not have, spread over the chunks between the common ones.
    const again = [lodash, ...Array.from({ length: 600 }, (_, i) => filler(i % 2 === 0 ? i : 600 + i)), { ...lodash, severity: 'CRITICAL' as const }];
    const second = await ingestReport(store, request(trivyReport(again), { scannedAt: '2026-12-01T00:00:00Z' }));
    expect(second).toMatchObject({ new: 300, common: 301, remediated: 300, comparedScanId: first.scanId });
    const rows = await store.db
      .selectFrom('scan_issues')
      .innerJoin('issues', 'issues.id', 'scan_issues.issue_id')
      .select(['issues.vulnerability_id', 'scan_issues.is_new', 'scan_issues.occurrences', 'scan_issues.severity'])
      .where('scan_issues.scan_id', '=', second.scanId)
      .execute();
    expect(rows).toHaveLength(601);
    const numberOf = (id: string | null) => Number(id?.slice('CVE-2026-'.length)) - 10000;
    for (const row of rows) {
      const common = row.vulnerability_id === lodash.id || numberOf(row.vulnerability_id) < 600;
      expect({ id: row.vulnerability_id, isNew: row.is_new }).toEqual({ id: row.vulnerability_id, isNew: common ? 0 : 1 });
    }
    expect(rows.find((row) => row.vulnerability_id === lodash.id)).toMatchObject({ is_new: 0, occurrences: 2, severity: 4 });
  });

  it('rolls back a report that turns out malformed after earlier chunks were written', async () => {
    await ingestReport(store, request(trivyReport([lodash])));
    const before = await rowCounts(store);
    // 3000 findings make the report larger than the lazy-reading threshold, so the broken element
    // is only parsed when the ingest reaches it, long after the first chunks were stored.
    const fillers = Array.from({ length: 3000 }, (_, i): Vulnerability => ({ id: `CVE-2026-${10000 + i}`, pkg: `pkg${i}`, version: '1.0.0', severity: 'LOW' }));
    const broken = trivyReport(fillers).replace('"VulnerabilityID":"CVE-2026-12900"', '"VulnerabilityID":');
    expect(broken.length).toBeGreaterThan(512 * 1024);
    await expect(ingestReport(store, request(broken, { target: 'other' }))).rejects.toThrow(/^report\.json: not valid JSON \(.*\); expected Trivy JSON\.$/);
    const generic = JSON.stringify({
      meta: { key: ['issueName'], subproduct: 'tool' },
      issues: Array.from({ length: 1500 }, (_, i) => ({ issueName: `i${i}`, issueDescription: 'd', subProduct: 'tool', ...(i === 1400 ? {} : { severity: 5 }) })),
    });
    await expect(ingestReport(store, request(generic, { target: 'other' }))).rejects.toThrow(/issues\[1400\].*severity/);
    expect(await rowCounts(store)).toEqual(before);
  });

  it('rolls back everything when a write fails midway', async () => {
    await ingestReport(store, request(trivyReport([lodash])));
    const before = await rowCounts(store);
    const failing = async () => {
      throw new Error('disk full');
    };
    await expect(ingestReport(store, request(trivyReport([qs]), { target: 'other' }), [failing])).rejects.toThrow('disk full');
    expect(await rowCounts(store)).toEqual(before);
  });

  it('rejects invalid names, target types and times before reading the report', async () => {
    await expect(ingestReport(store, request('{}', { target: ' ' }))).rejects.toThrow(/^Invalid target name " ": expected a non-empty name/);
    await expect(ingestReport(store, request('{}', { targetType: 'vm' as never }))).rejects.toThrow(
      'Invalid target type "vm": expected one of repository, container, instance, configuration.',
    );
    await expect(ingestReport(store, request('{}', { scannedAt: 'yesterday' }))).rejects.toThrow(/^Invalid scan time "yesterday"/);
  });
});
