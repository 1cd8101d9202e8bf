import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import {
  detectingFormats, issueCounts, otherScannersReports, parseShared, parseTestdata, readTestdata, sharedFiles, testdataFiles, withOneFieldBroken, wrongFormatMessages,
} from '../../test/support/formats.js';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { vulnerabilityFingerprint } from './fingerprint.js';
import { grype } from './grype.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const parse = (file: string) => parseTestdata('grype', file);

describe('grype: an image report', () => {
  const report = parse('image.json');

  it('reads the report header and counts ignored matches as suppressed', () => {
    expect(report).toMatchObject({
      format: 'grype',
      scanner: 'grype',
      scannerVersion: '0.74.0',
      scanType: 'container',
      artifact: 'acme/api:1.0',
      scannedAt: '2025-03-02T06:00:00.500Z',
      suppressed: 1,
      errors: ['Skipped matches[5]: it names no vulnerability id.'],
    });
  });

  it('takes the CVE among related vulnerabilities as the id and keeps the GHSA as an alias', () => {
    const fingerprint = vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2021-44420', package: 'django', installedVersion: '3.2.9' });
    expect(report.findings[0]).toEqual({
      kind: 'vulnerability',
      fingerprint,
      severity: 'high',
      scannerSeverity: 'High',
      // The v3.1 score, not the v2 one listed first.
      score: 7.3,
      description: 'Potential bypass of an upstream access control based on URL paths in Django',
      remediation: 'Upgrade Django to 3.2.10, 4.0.1.',
      package: 'Django',
      installedVersion: '3.2.9',
      fixedVersion: '3.2.10, 4.0.1',
      ecosystem: 'python',
      // A GitHub advisory's description in Grype is its summary: the title, not "CVE-… in Django".
      title: 'Potential bypass of an upstream access control based on URL paths in Django',
      vulnerabilityId: 'CVE-2021-44420',
      aliases: ['GHSA-v6rh-hp5x-86rv'],
      references: ['https://github.com/advisories/GHSA-v6rh-hp5x-86rv', 'https://www.djangoproject.com/weblog/2021/dec/07/security-releases/'],
      occurrence: {
        filePath: '/usr/local/lib/python3.9/site-packages/Django-3.2.9.dist-info/METADATA',
        layer: 'sha256:bbb',
        details: { matcher: 'python-matcher, stock-matcher', fixState: 'fixed', namespace: 'github:language:python', purl: 'pkg:pypi/Django@3.2.9' },
      },
    });
    // The same package at another path, spelled in lower case: the same issue.
    expect(report.findings[1]).toMatchObject({ fingerprint, package: 'django', fixedVersion: '3.2.10', occurrence: { filePath: '/app/venv/django/__init__.py' } });
  });

  it('maps Negligible and Unknown to info whatever the score, and names Maven packages group:artifact', () => {
    expect(report.findings[2]).toMatchObject({ vulnerabilityId: 'CVE-2004-0971', severity: 'info', scannerSeverity: 'Negligible', score: 3.3, description: 'krb5-send-pr symlink attack.' });
    expect(report.findings[3]).toEqual({
      kind: 'vulnerability',
      fingerprint: vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2018-11771', package: 'org.apache.commons:commons-compress', installedVersion: '1.14' }),
      severity: 'info',
      scannerSeverity: 'Unknown',
      score: 5.5,
      remediation: 'Upgrade org.apache.commons:commons-compress to 1.18.',
      package: 'org.apache.commons:commons-compress',
      installedVersion: '1.14',
      fixedVersion: '1.18',
      ecosystem: 'java-archive',
      title: 'CVE-2018-11771 in org.apache.commons:commons-compress',
      vulnerabilityId: 'CVE-2018-11771',
      occurrence: { filePath: '/app/libs/commons-compress-1.14.jar', details: { purl: 'pkg:maven/org.apache.commons/commons-compress@1.14' } },
    });
    expect(report.findings[4]).toEqual({
      kind: 'vulnerability',
      fingerprint: vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2024-0100', package: 'pyyaml', installedVersion: '6.0' }),
      severity: 'medium',
      scannerSeverity: 'Medium',
      package: 'PyYAML',
      installedVersion: '6.0',
      ecosystem: 'python',
      title: 'CVE-2024-0100 in PyYAML',
      vulnerabilityId: 'CVE-2024-0100',
      occurrence: {},
    });
    expect(issueCounts(report)).toEqual({ critical: 0, high: 1, medium: 1, low: 0, info: 2, total: 4 });
  });

  it('gives the same fingerprint as Trivy for the same CVE, package and version', () => {
    // Trivy writes PkgName "PyYAML" (pip) and Grype "PyYAML" (python): PEP 503 makes them one.
    const trivyPyyaml = parseTestdata('trivy', 'image.json').findings.find((f) => f.vulnerabilityId === 'CVE-2024-0100');
    expect(report.findings[4]?.fingerprint).toBe(trivyPyyaml?.fingerprint);
  });
});

describe('grype: the early report shape and malformed reports', () => {
  it('reads Grype 0.7 fields: links, cvssV3, fixedInVersion, one matchDetails object, a directory target', () => {
    expect(parse('directory-old.json')).toEqual({
      format: 'grype',
      scanner: 'grype',
      scannerVersion: '0.7.0',
      scanType: 'sca',
      findings: [
        {
          kind: 'vulnerability',
          fingerprint: vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2020-7598', package: 'minimist', installedVersion: '1.2.0' }),
          // Grype's label decides: Critical, although the v3 score alone would say medium.
          severity: 'critical',
          scannerSeverity: 'Critical',
          score: 5.6,
          remediation: 'Upgrade minimist to 1.2.3.',
          package: 'minimist',
          installedVersion: '1.2.0',
          fixedVersion: '1.2.3',
          ecosystem: 'npm',
          title: 'CVE-2020-7598 in minimist',
          vulnerabilityId: 'CVE-2020-7598',
          references: ['https://nvd.nist.gov/vuln/detail/CVE-2020-7598'],
          occurrence: { filePath: '/src/package-lock.json', details: { matcher: 'javascript-matcher' } },
        },
      ],
      suppressed: 0,
      errors: [],
      artifact: '/src',
    });
  });

  it('reads a report without matches as a valid empty report', () => {
    expect(parse('no-matches.json')).toEqual({ format: 'grype', scanner: 'grype', scannerVersion: '0.80.0', scanType: 'sca', findings: [], suppressed: 0, errors: [], artifact: '.' });
  });

  it('rejects matches that are not a list', () => {
    const doc: unknown = JSON.parse(readTestdata('grype', 'bad-matches.json').toString());
    expect(grype.detect(doc)).toBe(false);
    expect(() => parseWith(grype, doc)).toThrow(new InputError('Invalid Grype report: matches is an object; expected a list.'));
    expect(() => parseWith(grype, null)).toThrow(new InputError('Invalid Grype report: the document is null; expected an object.'));
  });
});

describe('grype: a report holding only its matches', () => {
  const report = parse('matches-only.json');

  it('is detected and read without source or descriptor', () => {
    expect(detectingFormats(readTestdata('grype', 'matches-only.json'))).toEqual(['grype']);
    expect(report).toMatchObject({ format: 'grype', scanner: 'grype', scanType: 'sca', suppressed: 0, errors: [] });
    expect(report.artifact).toBeUndefined();
    expect(report.findings.map((f) => [f.vulnerabilityId, f.package, f.severity])).toEqual([
      ['CVE-2023-44487', 'libnghttp2-14', 'high'],
      ['CVE-2021-44228', 'org.apache.logging.log4j:log4j-core', 'critical'],
      ['CVE-2024-0727', 'openssl', 'low'],
    ]);
    expect(issueCounts(report)).toEqual({ critical: 1, high: 1, medium: 0, low: 1, info: 0, total: 3 });
  });

  it("keeps EPSS (the highest entry's score and percentile) and risk on the finding's details", () => {
    expect(report.findings.map((f) => f.occurrence.details)).toEqual([
      { matcher: 'dpkg-matcher', fixState: 'fixed', namespace: 'debian:distro:debian:12', purl: 'pkg:deb/debian/libnghttp2-14@1.52.0-1', epss: 0.94358, epssPercentile: 0.99956, risk: 88.2 },
      { namespace: 'github:language:java', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', epss: 0.97501, epssPercentile: 0.99997, risk: 97.5 },
      undefined,
    ]);
  });

  it('reads {"matches": []} as an empty report only with --format grype', () => {
    expect(parseAll('{"matches": []}', { source: 'g.json', format: 'grype' }).findings).toEqual([]);
    expect(() => parseAll('{"matches": []}', { source: 'g.json' })).toThrow(/^g\.json: no supported format recognises a report with top-level keys "matches"/);
  });

  it('refuses EPSS that is not a list of objects', () => {
    const input = '{"matches": [{"vulnerability": {"id": "CVE-1", "epss": 0.5}, "artifact": {"name": "a"}}]}';
    expect(() => parseAll(input, { source: 'g.json', format: 'grype' })).toThrow('g.json: Invalid Grype report: matches[0].vulnerability.epss is a number; expected a list.');
  });
});

describe('grype: any field of the wrong type', () => {
  it.each(['image.json', 'directory-old.json', 'matches-only.json'])('%s: every variant parses or fails with an InputError, never a TypeError', (file) => {
    const failures: string[] = [];
    for (const { path, doc } of withOneFieldBroken(JSON.parse(readTestdata('grype', file).toString()))) {
      try {
        parseWith(grype, doc);
      } catch (error) {
        if (!(error instanceof InputError)) failures.push(`${path}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('grype: detection', () => {
  const reports = testdataFiles('grype').filter((f) => !f.startsWith('bad-'));

  it.each(reports)('%s is detected as grype and by no other format', (file) => {
    expect(detectingFormats(readTestdata('grype', file))).toEqual(['grype']);
  });

  it('every other --format gives a one-line error naming the file', () => {
    for (const { title, message } of wrongFormatMessages('grype', 'image.json')) {
      expect(message).toBe(`testdata/grype/image.json: does not look like ${title}: it looks like Grype JSON; use --format grype or leave --format out.`);
    }
  });
});

describeShared('grype: the real reports in shared/fixtures/scans/grype', () => {
  // Derived with python3 from each file and DESIGN.md's rules, not from this parser: matches keyed
  // by (a CVE among vulnerability.id + relatedVulnerabilities ids else the id, artifact.name with
  // PEP 503 for python, artifact.version), each at the worst of Grype's labels with Negligible
  // and Unknown as info. E.g. check_all_fields: Django's GHSA twice → one CVE-2021-44420 issue,
  // libc6 and libc-bin are two packages → 5 issues; same_cve_different_paths: 2 matches → 1 issue;
  // many_vulns: 1509 matches, 1509 keys, 681 Negligible + 76 Unknown = 757 info.
  const expected: Record<string, { counts: [number, number, number, number, number, number]; findings: number }> = {
    'check_all_fields.json': { counts: [2, 2, 0, 0, 1, 5], findings: 6 },
    'many_vulns.json': { counts: [0, 32, 613, 107, 757, 1509], findings: 1509 },
    'no_vuln.json': { counts: [0, 0, 0, 0, 0, 0], findings: 0 },
    'same_cve_different_paths.json': { counts: [1, 0, 0, 0, 0, 1], findings: 2 },
  };

  it('has an expectation for every fixture', () => {
    expect(sharedFiles('grype')).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s has the expected issues per severity', (file, { counts, findings }) => {
    const report = parseShared('grype', file);
    const [critical, high, medium, low, info, total] = counts;
    expect(report.format).toBe('grype');
    expect(issueCounts(report)).toEqual({ critical, high, medium, low, info, total });
    expect(report.findings).toHaveLength(findings);
    expect(detectingFormats(readShared('scans', 'grype', file))).toEqual(['grype']);
  });

  it('reads concrete fields of real findings', () => {
    const all = parseShared('grype', 'check_all_fields.json');
    expect(all).toMatchObject({ scanner: 'grype', scannerVersion: '0.28.0', scanType: 'container', artifact: 'vulnerable-image:latest' });
    expect(all.findings.find((f) => f.package === 'Django')).toMatchObject({
      vulnerabilityId: 'CVE-2021-44420',
      aliases: ['GHSA-v6rh-hp5x-86rv'],
      installedVersion: '3.2.9',
      fixedVersion: '3.2.10',
      severity: 'high',
    });
    const paths = parseShared('grype', 'same_cve_different_paths.json');
    expect(paths.findings.map((f) => [f.vulnerabilityId, f.package, f.occurrence.filePath])).toEqual([
      ['CVE-2021-33574', 'libc6', '/usr/lib/x86_64-linux-gnu/libc.so.6'],
      ['CVE-2021-33574', 'libc6', '/lib/x86_64-linux-gnu/libc.so.6'],
    ]);
  });

  it('agrees with Trivy on the fingerprint of the same CVE in the same package and version', () => {
    // binutils 2.31.1-16 on Debian 10 is in both scanners' real reports (bash's CVE is not_affected in Trivy's).
    const trivyPrints = new Map(parseShared('trivy', 'all_statuses.json').findings.map((f) => [`${f.vulnerabilityId} ${f.package} ${f.installedVersion}`, f.fingerprint]));
    const grypePrints = new Map(parseShared('grype', 'many_vulns.json').findings.map((f) => [`${f.vulnerabilityId} ${f.package} ${f.installedVersion}`, f.fingerprint]));
    const common = [...trivyPrints.keys()].filter((key) => grypePrints.has(key)).sort();
    expect(common).toEqual([
      'CVE-2018-1000876 binutils 2.31.1-16',
      'CVE-2018-12697 binutils 2.31.1-16',
      'CVE-2018-12698 binutils 2.31.1-16',
      'CVE-2018-12699 binutils 2.31.1-16',
      'CVE-2018-12934 binutils 2.31.1-16',
    ]);
    for (const key of common) expect([key, grypePrints.get(key)]).toEqual([key, trivyPrints.get(key)]);
    // Trivy names the jar groupId:artifactId; Grype's artifactId-only name is rebuilt from the purl.
    const trivyJar = parseShared('trivy', 'scheme_2_many_vulns.json').findings.find((f) => f.vulnerabilityId === 'CVE-2018-11771');
    expect(trivyJar?.package).toBe('org.apache.commons:commons-compress');
    expect(parseTestdata('grype', 'image.json').findings[3]?.fingerprint).toBe(trivyJar?.fingerprint);
  });

  it('does not take another scanner\'s report for a Grype one', () => {
    for (const { name, text } of otherScannersReports(['grype'])) expect([name, grype.detect(JSON.parse(text.toString()))]).toEqual([name, false]);
  });
});
