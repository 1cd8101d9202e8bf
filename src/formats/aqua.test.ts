import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { countIssues, groupFindings } from '../ingest/group.js';
import { aqua } from './aqua.js';
import { parseReport } from './index.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/aqua/${name}`, import.meta.url));
const parse = (name: string) => parseAll(testdata(name), { source: name });

describe('Aqua scanner CLI report', () => {
  const report = parse('cli-severity-sources.json');

  it('reads the image, the scan start and the scanner', () => {
    expect(report).toMatchObject({
      format: 'aqua', scanner: 'aqua', scanType: 'container', artifact: 'registry.acme.io/payments:1.4.2',
      scannedAt: '2026-01-01T00:00:00.500Z', suppressed: 0, errors: [],
    });
    expect(report.findings).toHaveLength(8);
  });

  it('keeps package, version, fix and references on the finding', () => {
    expect(report.findings[0]).toMatchObject({
      kind: 'vulnerability', vulnerabilityId: 'CVE-2024-0001', title: 'CVE-2024-0001 in openssl', package: 'openssl',
      installedVersion: '3.0.11-1', fixedVersion: '3.0.13-1', ecosystem: 'deb', description: 'Aqua rates this one itself.',
      remediation: 'Upgrade package openssl to version 3.0.13-1 or above.',
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2024-0001', 'https://security-tracker.debian.org/tracker/CVE-2024-0001'],
      occurrence: { filePath: '/usr/lib/x86_64-linux-gnu/libssl.so.3' },
    });
  });

  it("takes Aqua's label, else the vendor's (v3 first), else the NVD's (v3 first), else a score, else info", () => {
    const rated = report.findings.map((f) => [f.vulnerabilityId, f.severity, f.scannerSeverity, f.score]);
    expect(rated).toEqual([
      ['CVE-2024-0001', 'medium', 'medium', 5.5], // Aqua's own label wins over the vendor's and the NVD's
      ['CVE-2024-0002', 'high', 'high', 8.1], // an Aqua label Lantern does not know falls through to the vendor's v3
      ['CVE-2024-0003', 'low', 'low', 2.1], // the vendor's v2 label wins over the NVD's
      ['CVE-2024-0004', 'critical', 'critical', 9.1],
      ['CVE-2024-0005', 'medium', 'medium', 6.4],
      ['CVE-2024-0006', 'info', 'negligible', undefined],
      ['CVE-2024-0007', 'high', undefined, 7.2], // no label at all: the vendor's score
      ['TEMP-0841856-B18BAF', 'info', undefined, undefined],
    ]);
  });

  it('identifies issues by vulnerability, package and version', () => {
    expect(new Set(report.findings.map((f) => f.fingerprint)).size).toBe(8);
  });
});

describe('Aqua API (v2) report', () => {
  const report = parse('api-v2.json');

  it('reads string scores and labels, and reports the scan error', () => {
    expect(report).toMatchObject({ format: 'aqua', scanner: 'aqua', scanType: 'container', artifact: 'acme/web:2.0' });
    expect(report.errors).toEqual(['registry timed out while pulling layer sha256:3e1f']);
    expect(report.findings.map((f) => [f.vulnerabilityId, f.package, f.severity, f.scannerSeverity, f.score])).toEqual([
      ['CVE-2024-1001', '/usr/lib/libcrypto.so.3', 'high', 'high', 7.5],
      ['CVE-2024-1001', '/usr/lib/libcrypto.so.1.1', 'medium', 'medium', 5.9],
      ['CVE-2024-1002', 'curl', 'medium', 'medium', 6.1], // blank Aqua label and score: the vendor's
      ['CVE-2024-1003', 'busybox', 'low', 'low', 3.3],
      ['CVE-2024-1004', 'musl', 'medium', undefined, 4.3],
    ]);
  });

  it('keeps one CVE in two files as two issues', () => {
    const [first, second] = report.findings;
    expect(first?.fingerprint).not.toBe(second?.fingerprint);
    expect(first).toMatchObject({ fixedVersion: '3.0.13', remediation: 'Upgrade to 3.0.13', occurrence: { component: '/usr/lib/libcrypto.so.3' } });
    expect(second?.fixedVersion).toBeUndefined();
  });
});

describe('Aqua reports from the Azure DevOps extension (a JSON array of CLI reports)', () => {
  const report = parse('azure-devops.json');

  it('reads every report of the array, wrapped under results or bare, as one scan', () => {
    expect(report).toMatchObject({
      format: 'aqua', scanner: 'aqua', scanType: 'container', artifact: 'acme/orders:3.1, acme/orders-worker:3.1',
      scannedAt: '2026-01-01T23:43:20.000Z', errors: ['layer sha256:9a1 could not be read'],
    });
    expect(report.findings.map((f) => [f.vulnerabilityId, f.package, f.severity])).toEqual([
      ['CVE-2023-42363', 'busybox', 'medium'],
      ['CVE-2023-42366', 'busybox', 'medium'],
      ['CVE-2023-42363', 'busybox', 'medium'], // the same package in the second image: the same issue
      ['CVE-2022-23529', 'jsonwebtoken', 'high'],
    ]);
    expect(countIssues(groupFindings(report.findings))).toEqual({ critical: 0, high: 1, medium: 2, low: 0, info: 0, total: 3 });
  });

  it('names the element of the array in an error', () => {
    const input = '[{"results": {"image": "x", "resources": [{"resource": {"name": "p"}, "vulnerabilities": [{"nvd_score": 5}]}]}}]';
    expect(() => parseAll(input, { source: 'bad.json' })).toThrow(/^bad\.json: Aqua \[0\]\.results\.resources\[0\]\.vulnerabilities\[0\] has no "name"/);
    expect(aqua.detect([{ results: {} }])).toBe(false);
  });
});

describe('Aqua sensitive data found in image files', () => {
  const report = parse('cli-sensitive-data.json');
  const secrets = [
    '-----BEGIN OPENSSH PRIVATE KEY-----b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
    'AKIAZ7Q3LANTERNTEST1',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYLANTERNTEST',
  ];

  it('makes each sensitive item a high secret finding at its file, masked', () => {
    expect(report.findings.map((f) => [f.kind, f.severity, f.title, f.occurrence.filePath, f.occurrence.secretMasked])).toEqual([
      ['vulnerability', 'critical', 'CVE-2023-45853 in zlib1g', '/usr/lib/x86_64-linux-gnu/libz.so.1', undefined],
      ['secret', 'high', 'Sensitive data in /root/.ssh/id_rsa', '/root/.ssh/id_rsa', '----****'],
      ['secret', 'high', 'Sensitive data in /app/billing/settings.py', '/app/billing/settings.py', 'AKIA****'],
      ['secret', 'high', 'Sensitive data in /app/billing/settings.py', '/app/billing/settings.py', 'wJal****'],
    ]);
    expect(report.findings[1]).toMatchObject({ ruleId: 'aqua-sensitive-data', occurrence: { layer: 'sha256:7c3e' } });
    expect(countIssues(groupFindings(report.findings))).toEqual({ critical: 1, high: 3, medium: 0, low: 0, info: 0, total: 4 });
  });

  it('never keeps a secret in clear', () => {
    const text = JSON.stringify(report);
    for (const secret of secrets) expect(text.includes(secret), secret.slice(0, 4)).toBe(false);
    expect(text).not.toContain('b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ');
  });
});

describe('Aqua API v2 vulnerability listing ({count, page, pagesize, result})', () => {
  const report = parse('api-v2-listing.json');

  it('reads each item as a vulnerability of its resource package, with the image on the details', () => {
    expect(report).toMatchObject({ format: 'aqua', scanner: 'aqua', scanType: 'container', artifact: 'acme/gateway:5.2', errors: [] });
    expect(report.findings.map((f) => [f.vulnerabilityId, f.package, f.installedVersion, f.severity, f.scannerSeverity, f.score])).toEqual([
      ['CVE-2024-6119', 'openssl', '3.0.13-1~deb12u1', 'high', 'high', 7.5],
      ['CVE-2024-6119', 'libssl3', '3.0.13-1~deb12u1', 'medium', 'medium', 5],
      ['CVE-2023-29383', 'login', '1:4.13+dfsg1-1', 'low', 'low', 3.3],
    ]);
    expect(report.findings[0]).toMatchObject({
      ecosystem: 'deb', fixedVersion: '3.0.14-1~deb12u2', description: 'Type confusion when checking x509 names.',
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2024-6119'],
      occurrence: { details: { image: 'acme/gateway:5.2', registry: 'ACR', imageDigest: 'sha256:51e0' } },
    });
    expect(countIssues(groupFindings(report.findings))).toEqual({ critical: 0, high: 1, medium: 1, low: 1, info: 0, total: 3 });
  });

  it('says on the scan when the page holds fewer items than the listing counts', () => {
    const page = '{"count": 120, "page": 2, "pagesize": 1, "result": [{"name": "CVE-2024-1", "resource": {"name": "a", "version": "1"}, "aqua_severity": "low"}]}';
    expect(parseAll(page, { source: 'p.json' }).errors).toEqual([
      'This is page 2 of an Aqua vulnerability listing of 120 items and holds 1: the other pages are not in this scan.',
    ]);
  });

  it('reads an empty listing only with --format aqua', () => {
    const empty = '{"count": 0, "page": 1, "pagesize": 50, "result": []}';
    expect(parseAll(empty, { source: 'e.json', format: 'aqua' }).findings).toEqual([]);
    expect(() => parseAll(empty, { source: 'e.json' })).toThrow(/^e\.json: no supported format recognises/);
  });
});

describe('Aqua empty and bad input', () => {
  it('reads {} as an empty report only when --format aqua is given', () => {
    expect(parseAll('{}', { source: 'a.json', format: 'aqua' })).toEqual({
      format: 'aqua', scanner: 'aqua', scanType: 'container', findings: [], suppressed: 0, errors: [],
    });
    expect(() => parseAll('{}', { source: 'a.json' })).toThrow(/^a\.json: the report is an empty JSON object/);
  });

  it.each([
    ['truncated JSON', '{"image": "x", "resources": [', /^bad\.json: not valid JSON \(.+\); expected a JSON report/],
    ['a report of another format', '{"SchemaVersion": 2, "Results": []}', /^bad\.json: does not look like Aqua JSON: /],
    ['a vulnerability without a name', '{"image": "x", "resources": [{"resource": {"name": "p"}, "vulnerabilities": [{"nvd_score": 5}]}]}',
      /^bad\.json: Aqua resources\[0\]\.vulnerabilities\[0\] has no "name"; expected the vulnerability id/],
  ])('rejects %s with one line naming the file', (_what, input, message) => {
    const run = () => parseAll(input, { source: 'bad.json', format: 'aqua' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });

  it('never detects a document of another shape', () => {
    expect(aqua.detect({ image: 'x' })).toBe(false);
    expect(aqua.detect({ cves: [] })).toBe(false);
    expect(aqua.detect([])).toBe(false);
  });
});

// Expected counts: python3 over each file, taking aqua_severity, else severity (v2), else
// vendor_severity(_v3), else nvd_severity(_v3), negligible as info, one issue per distinct
// (name, package, version) — (name, file) for v2 — at its worst severity.
describeShared('Aqua conformance over the shared fixtures', () => {
  it.each([
    ['one_vuln.json', undefined, { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 }],
    ['many_v2.json', undefined, { critical: 0, high: 2, medium: 1, low: 0, info: 0, total: 3 }],
    ['no_vuln.json', 'aqua', { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 }],
  ])('%s', (file, format, counts) => {
    const report = parseAll(readShared('scans', 'aqua', file), { source: file, format });
    expect(report.format).toBe('aqua');
    expect(countIssues(groupFindings(report.findings))).toEqual(counts);
  });
});
