import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import {
  detectingFormats, issueCounts, otherScannersReports, parseShared, parseTestdata, readTestdata, sharedFiles,
  testdataFiles, withOneFieldBroken, wrongFormatMessages,
} from '../../test/support/formats.js';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { licenseFingerprint, misconfigurationFingerprint, secretFingerprint, vulnerabilityFingerprint } from './fingerprint.js';
import { secretSha256 } from './secret.js';
import { trivy } from './trivy.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const parse = (file: string) => parseTestdata('trivy', file);

describe('trivy: an image report', () => {
  const report = parse('image.json');

  it('reads the report header', () => {
    expect(report).toMatchObject({
      format: 'trivy',
      scanner: 'trivy',
      scannerVersion: '0.58.1',
      scanType: 'container',
      // ArtifactName is missing: the image's tag names it.
      artifact: 'registry.acme.io/payments:1.4.2',
      scannedAt: '2025-03-01T09:00:00.123Z',
      // bash's not_affected CVE-2023-0001 is the vendor saying "not vulnerable".
      suppressed: 1,
      errors: ['Skipped Results[0].Vulnerabilities[2]: it has no VulnerabilityID.'],
    });
  });

  it('reads a vulnerability with a vendor id, preferring the CVE among VendorIDs', () => {
    expect(report.findings[0]).toEqual({
      kind: 'vulnerability',
      fingerprint: vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2023-4911', package: 'libc6', installedVersion: '2.36-9' }),
      severity: 'high',
      scannerSeverity: 'HIGH',
      // SeveritySource is debian: debian's V3Score, not nvd's 7.5.
      score: 7.8,
      title: 'glibc: buffer overflow in ld.so',
      description: 'Looney Tunables.',
      remediation: 'Upgrade libc6 to 2.36-9+deb12u3.',
      package: 'libc6',
      installedVersion: '2.36-9',
      fixedVersion: '2.36-9+deb12u3',
      ecosystem: 'debian',
      vulnerabilityId: 'CVE-2023-4911',
      aliases: ['DLA-3682-1'],
      cwes: ['CWE-787'],
      references: ['https://avd.aquasec.com/nvd/cve-2023-4911', 'https://www.openwall.com/lists/oss-security/2023/10/03/2'],
      occurrence: {
        component: 'registry.acme.io/payments:1.4.2 (debian 12.5)',
        layer: 'sha256:aaa',
        details: { status: 'fixed', pkgId: 'libc6@2.36-9', severitySource: 'debian' },
      },
    });
  });

  it('falls back to the score for a label it does not know, and to info with neither', () => {
    const [, severe, temp] = report.findings;
    // "SEVERE" is no Trivy label; the ghsa source has no CVSS entry, so nvd's 9.1 decides.
    expect(severe).toMatchObject({ vulnerabilityId: 'CVE-2023-0002', severity: 'critical', scannerSeverity: 'SEVERE', score: 9.1 });
    expect(severe?.occurrence.details).toEqual({ status: 'will_not_fix', severitySource: 'ghsa' });
    expect(temp).toMatchObject({ vulnerabilityId: 'TEMP-0001', severity: 'info', title: 'TEMP-0001 in bash', occurrence: { details: { status: 'affected' } } });
    expect(temp).not.toHaveProperty('score');
    expect(temp).not.toHaveProperty('scannerSeverity');
  });

  it('makes one issue of a Python package spelled two ways, at its worst severity', () => {
    const pyyaml = report.findings.filter((f) => f.vulnerabilityId === 'CVE-2024-0100');
    expect(pyyaml.map((f) => [f.package, f.severity, f.occurrence.component, f.occurrence.filePath])).toEqual([
      ['PyYAML', 'medium', 'app/requirements.txt', 'app/venv/PyYAML-6.0.dist-info/METADATA'],
      ['pyyaml', 'high', 'app/other/requirements.txt', undefined],
    ]);
    expect(pyyaml[0]?.score).toBe(5.1);
    expect(new Set(pyyaml.map((f) => f.fingerprint))).toEqual(
      new Set([vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2024-0100', package: 'pyyaml', installedVersion: '6.0' })]),
    );
    expect(issueCounts(report)).toEqual({ critical: 1, high: 2, medium: 0, low: 0, info: 1, total: 4 });
  });
});

describe('trivy: config, secret and license scans', () => {
  it('keeps failed misconfigurations, per resource, with lines and cause snippet', () => {
    const report = parse('config.json');
    expect(report.scanType).toBe('iac');
    expect(report.suppressed).toBe(1);
    expect(report.errors).toEqual(['Skipped Results[0].Misconfigurations[6]: it has no ID.']);
    expect(report.findings).toEqual([
      {
        kind: 'misconfiguration',
        fingerprint: misconfigurationFingerprint({ scanner: 'trivy', checkId: 'AVD-AWS-0086', filePath: 'terraform/main.tf', resource: 'aws_s3_bucket.logs' }),
        severity: 'high',
        scannerSeverity: 'HIGH',
        title: 'S3 Access block should block public ACL',
        description: 'S3 buckets should block public ACLs.',
        remediation: 'Enable blocking any PUT calls with a public ACL specified',
        ecosystem: 'terraform',
        ruleId: 'AVD-AWS-0086',
        references: ['https://avd.aquasec.com/misconfig/avd-aws-0086', 'https://docs.aws.amazon.com/s3'],
        occurrence: {
          component: 'terraform/main.tf',
          filePath: 'terraform/main.tf',
          startLine: 3,
          endLine: 5,
          resource: 'aws_s3_bucket.logs',
          snippet: 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"',
          details: { message: 'No public access block so not blocking public acls', provider: 'AWS', service: 's3' },
        },
      },
      {
        kind: 'misconfiguration',
        fingerprint: misconfigurationFingerprint({ scanner: 'trivy', checkId: 'AVD-AWS-0086', filePath: 'terraform/main.tf', resource: 'aws_s3_bucket.data' }),
        severity: 'high',
        scannerSeverity: 'HIGH',
        title: 'S3 Access block should block public ACL',
        ecosystem: 'terraform',
        ruleId: 'AVD-AWS-0086',
        occurrence: { component: 'terraform/main.tf', filePath: 'terraform/main.tf', startLine: 9, endLine: 11, resource: 'aws_s3_bucket.data' },
      },
      {
        // No Status (older Trivy) counts as FAIL; no Severity makes an IaC check medium; "x" is no line.
        kind: 'misconfiguration',
        fingerprint: misconfigurationFingerprint({ scanner: 'trivy', checkId: 'AVD-AWS-0089', filePath: 'terraform/main.tf' }),
        severity: 'medium',
        title: 'no status, no severity',
        ecosystem: 'terraform',
        ruleId: 'AVD-AWS-0089',
        occurrence: { component: 'terraform/main.tf', filePath: 'terraform/main.tf' },
      },
      {
        // Status compares case-insensitively; the AVD id stands in for a missing ID.
        kind: 'misconfiguration',
        fingerprint: misconfigurationFingerprint({ scanner: 'trivy', checkId: 'AVD-DS-0002', filePath: 'terraform/main.tf' }),
        severity: 'low',
        scannerSeverity: 'LOW',
        title: 'only an AVD id',
        ecosystem: 'terraform',
        ruleId: 'AVD-DS-0002',
        occurrence: { component: 'terraform/main.tf', filePath: 'terraform/main.tf' },
      },
    ]);
  });

  it('fingerprints secrets by the masked match and never keeps an unmasked one', () => {
    const report = parse('secrets.json');
    expect(report.scanType).toBe('secret');
    const masked = 'AWS_ACCESS_KEY_ID=********************';
    const awsPrint = secretFingerprint({ ruleId: 'aws-access-key-id', filePath: 'deploy/.env', secretSha256: secretSha256(masked) });
    expect(report.findings.map((f) => [f.fingerprint, f.severity, f.ruleId, f.occurrence.startLine, f.occurrence.snippet])).toEqual([
      [awsPrint, 'critical', 'aws-access-key-id', 2, masked],
      [awsPrint, 'critical', 'aws-access-key-id', 9, masked],
      // No RuleID: the category names the rule; no Severity: a secret is high.
      [
        secretFingerprint({ ruleId: 'Slack', filePath: 'deploy/.env', secretSha256: secretSha256('SLACK=xoxb-not-masked-by-this-tool') }),
        'high',
        'Slack',
        4,
        undefined,
      ],
    ]);
    expect(JSON.stringify(report)).not.toContain('xoxb-not-masked');
    expect(issueCounts(report)).toEqual({ critical: 1, high: 1, medium: 0, low: 0, info: 0, total: 2 });
  });

  it('reads package and loose-file licenses', () => {
    const report = parse('licenses.json');
    expect(report.scanType).toBe('license');
    expect(report.errors).toEqual(['Skipped Results[0].Licenses[2]: it has no Name.']);
    expect(report.findings[0]).toEqual({
      kind: 'license',
      fingerprint: licenseFingerprint({ license: 'GPL-2.0-only', package: 'busybox' }),
      severity: 'high',
      scannerSeverity: 'HIGH',
      title: 'GPL-2.0-only license in busybox',
      license: 'GPL-2.0-only',
      package: 'busybox',
      occurrence: { component: 'OS Packages', details: { category: 'restricted', confidence: 1 } },
    });
    expect(report.findings[2]).toEqual({
      kind: 'license',
      fingerprint: licenseFingerprint({ license: 'OpenSSL', package: '/etc/ssl/misc/CA.pl' }),
      severity: 'low',
      scannerSeverity: 'LOW',
      title: 'OpenSSL license in /etc/ssl/misc/CA.pl',
      license: 'OpenSSL',
      references: ['https://spdx.org/licenses/OpenSSL.html'],
      occurrence: { component: 'Loose File License(s)', filePath: '/etc/ssl/misc/CA.pl', details: { category: 'notice', confidence: 0.9 } },
    });
    expect(issueCounts(report)).toEqual({ critical: 0, high: 1, medium: 0, low: 3, info: 0, total: 4 });
  });

  it('reads an empty result list as a valid report without findings', () => {
    expect(parse('empty.json')).toEqual({ format: 'trivy', scanner: 'trivy', scanType: 'sca', findings: [], suppressed: 0, errors: [], artifact: 'empty' });
  });
});

describe('trivy: cluster reports', () => {
  it('reads the Vulnerabilities and Misconfigurations lists, one issue per CVE across workloads', () => {
    const report = parse('k8s.json');
    expect(report).toMatchObject({ scanner: 'trivy', scanType: 'container', artifact: 'prod-eu', suppressed: 0 });
    expect(report.errors).toEqual([]);
    const cve = vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2024-2511', package: 'libssl3', installedVersion: '3.1.4-r5' });
    expect(report.findings.map((f) => [f.kind, f.fingerprint === cve, f.occurrence.resource, f.occurrence.component])).toEqual([
      ['vulnerability', true, 'payments/Deployment/api', 'registry.acme.io/api:2 (alpine 3.19)'],
      ['vulnerability', true, 'payments/Deployment/worker', 'registry.acme.io/worker:7 (alpine 3.19)'],
      ['misconfiguration', false, 'payments/Deployment/api', 'Deployment/api'],
    ]);
    expect(report.findings[2]).toEqual({
      kind: 'misconfiguration',
      fingerprint: misconfigurationFingerprint({ scanner: 'trivy', checkId: 'KSV001', filePath: 'Deployment/api', resource: 'payments/Deployment/api' }),
      severity: 'medium',
      scannerSeverity: 'MEDIUM',
      title: 'Process can elevate its own privileges',
      ecosystem: 'kubernetes',
      ruleId: 'KSV001',
      // A cluster's Target is Kind/name, not a file: no filePath.
      occurrence: { component: 'Deployment/api', resource: 'payments/Deployment/api', startLine: 20, endLine: 31 },
    });
    expect(issueCounts(report)).toEqual({ critical: 0, high: 0, medium: 1, low: 1, info: 0, total: 2 });
  });

  it('reads the Resources list of newer trivy k8s reports as a misconfig scan', () => {
    const report = parse('k8s-resources.json');
    expect(report).toEqual({
      format: 'trivy',
      scanner: 'trivy',
      scanType: 'misconfig',
      findings: [
        {
          kind: 'misconfiguration',
          fingerprint: misconfigurationFingerprint({ scanner: 'trivy', checkId: 'KSV017', filePath: 'Pod/debug', resource: 'default/Pod/debug' }),
          severity: 'high',
          scannerSeverity: 'HIGH',
          title: 'Privileged container',
          ecosystem: 'kubernetes',
          ruleId: 'KSV017',
          occurrence: { component: 'Pod/debug', resource: 'default/Pod/debug' },
        },
      ],
      suppressed: 0,
      errors: [],
      artifact: 'staging',
    });
  });
});

describe('trivy: malformed reports', () => {
  it('rejects a Results that is not a list and another SchemaVersion, naming the file', () => {
    expect(() => parse('bad-results.json')).toThrow(
      new InputError('testdata/trivy/bad-results.json: Invalid Trivy report: Results is a string; expected a list.'),
    );
    expect(() => parse('schema-1.json')).toThrow(
      new InputError('testdata/trivy/schema-1.json: Unsupported Trivy SchemaVersion 1: expected 2 (Trivy 0.20 or later with --format json).'),
    );
  });

  it('says that a pre-0.20 report (a list of results without SchemaVersion) is an old Trivy format, detected or named', () => {
    const message =
      'testdata/trivy/pre-0.20.json: This is the Trivy JSON of Trivy before 0.20 (a list of results without SchemaVersion), which Lantern does not read; ' +
      'expected SchemaVersion 2, which Trivy 0.20 and later write with --format json: re-run the scan with a newer Trivy.';
    expect(() => parse('pre-0.20.json')).toThrow(new InputError(message));
    expect(() => parseTestdata('trivy', 'pre-0.20.json', 'trivy')).toThrow(new InputError(message));
  });

  it('rejects a cluster report whose resource list is not a list', () => {
    const doc: unknown = JSON.parse(readTestdata('trivy', 'bad-k8s.json').toString());
    expect(trivy.detect(doc)).toBe(false);
    expect(() => parseWith(trivy, doc)).toThrow(new InputError('Invalid Trivy report: Resources is an object; expected a list.'));
    expect(() => parseWith(trivy, [])).toThrow(InputError);
  });
});

describe('trivy: any field of the wrong type', () => {
  it.each(['image.json', 'config.json', 'secrets.json', 'licenses.json', 'k8s.json'])('%s: every variant parses or fails with an InputError, never a TypeError', (file) => {
    const failures: string[] = [];
    for (const { path, doc } of withOneFieldBroken(JSON.parse(readTestdata('trivy', file).toString()))) {
      try {
        parseWith(trivy, doc);
      } catch (error) {
        if (!(error instanceof InputError)) failures.push(`${path}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('trivy: detection', () => {
  const reports = testdataFiles('trivy').filter((f) => f !== 'bad-k8s.json');

  it.each(reports)('%s is detected as trivy and by no other format', (file) => {
    expect(detectingFormats(readTestdata('trivy', file))).toEqual(['trivy']);
  });

  it.each(['image.json', 'k8s.json'])('%s: every other --format gives a one-line error naming the file', (file) => {
    for (const { title, message } of wrongFormatMessages('trivy', file)) {
      expect(message).toBe(`testdata/trivy/${file}: does not look like ${title}: it looks like Trivy JSON; use --format trivy or leave --format out.`);
    }
  });
});

describeShared('trivy: the real reports in shared/fixtures/scans/trivy', () => {
  // Derived with python3 from each file and DESIGN.md's rules, not from this parser: for every
  // Result (and every Result inside the k8s lists), vulnerabilities keyed by (a CVE among
  // VulnerabilityID+VendorIDs else VulnerabilityID, PkgName, InstalledVersion) minus Status
  // not_affected; misconfigurations with Status FAIL keyed by (ID, Target, namespace/Kind/name);
  // secrets by (RuleID, Target, Match); licenses by (Name, PkgName or FilePath); each key at the
  // worst of Trivy's labels. E.g. all_statuses: 8 LOW vulnerabilities, one not_affected → 7 low;
  // kubernetes: 5 CVEs × 2 deployments → 5 issues, 5 KSV checks × 2 deployments → 10 issues.
  const expected: Record<string, { counts: [number, number, number, number, number, number]; suppressed: number }> = {
    'all_statuses.json': { counts: [0, 0, 0, 7, 0, 7], suppressed: 1 },
    'cvss_severity_source.json': { counts: [0, 1, 1, 0, 0, 2], suppressed: 0 },
    'kubernetes.json': { counts: [0, 0, 5, 10, 0, 15], suppressed: 0 },
    'license_scheme.json': { counts: [0, 7, 1, 11, 0, 19], suppressed: 0 },
    'misconfigurations_and_secrets.json': { counts: [2, 2, 1, 0, 0, 5], suppressed: 0 },
    'scheme_2_many_vulns.json': { counts: [1, 1, 3, 0, 0, 5], suppressed: 0 },
    'scheme_2_no_vuln.json': { counts: [0, 0, 0, 0, 0, 0], suppressed: 0 },
  };

  it('has an expectation for every fixture', () => {
    expect(sharedFiles('trivy')).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s has the expected issues per severity', (file, { counts, suppressed }) => {
    const report = parseShared('trivy', file);
    const [critical, high, medium, low, info, total] = counts;
    expect(report.format).toBe('trivy');
    expect(issueCounts(report)).toEqual({ critical, high, medium, low, info, total });
    expect(report.suppressed).toBe(suppressed);
    expect(detectingFormats(readShared('scans', 'trivy', file))).toEqual(['trivy']);
  });

  it('reads concrete fields of real findings', () => {
    const vulns = parseShared('trivy', 'scheme_2_many_vulns.json');
    expect(vulns.findings.find((f) => f.vulnerabilityId === 'CVE-2020-15999')).toMatchObject({
      package: 'freetype',
      installedVersion: '2.9.1-r2',
      fixedVersion: '2.9.1-r3',
      severity: 'medium',
      scannerSeverity: 'MEDIUM',
      score: 6.5,
      occurrence: { component: 'teamdojo:latest (alpine 3.9.4)', filePath: 'app/libs/freetype-2.9.1-r2', layer: 'sha256:edd61588d12669e2d71a0de2aab96add3304bf565730e1e6144ec3c3fac339e4' },
    });
    // SeveritySource ghsa: ghsa's 7.5, not nvd's 9.8; the HIGH label decides.
    const sourced = parseShared('trivy', 'cvss_severity_source.json');
    expect(sourced.findings.find((f) => f.vulnerabilityId === 'CVE-2023-37920')).toMatchObject({ package: 'certifi', severity: 'high', score: 7.5, fixedVersion: '2023.7.22' });
    const cluster = parseShared('trivy', 'kubernetes.json');
    expect(cluster.findings.filter((f) => f.vulnerabilityId === 'CVE-2020-27350').map((f) => f.occurrence.resource)).toEqual([
      'default/Deployment/redis-follower',
      'default/Deployment/redis-leader',
    ]);
  });

  it('keeps no secret in clear from misconfigurations_and_secrets.json', () => {
    const raw = readShared('scans', 'trivy', 'misconfigurations_and_secrets.json').toString();
    const report = parseShared('trivy', 'misconfigurations_and_secrets.json');
    const secrets = report.findings.filter((f) => f.kind === 'secret');
    expect(secrets.map((f) => f.occurrence.snippet)).toEqual(['ENV GITHUB_PAT=*****', 'GITHUB_PAT=*****']);
    // Trivy masked both matches: the file holds no GitHub token in clear, and neither may the output.
    const tokens = raw.match(/gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}/g) ?? [];
    expect(tokens).toEqual([]);
    expect(JSON.stringify(report)).not.toMatch(/gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|GITHUB_PAT=[^*]/);
  });

  it('does not take another scanner\'s report for a Trivy one', () => {
    for (const { name, text } of otherScannersReports(['trivy'])) expect([name, trivy.detect(JSON.parse(text.toString()))]).toEqual([name, false]);
  });
});
