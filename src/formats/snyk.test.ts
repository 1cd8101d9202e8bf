import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import {
  detectingFormats, issueCounts, otherScannersReports, parseShared, parseTestdata, readTestdata, sharedFiles, testdataFiles, withOneFieldBroken, wrongFormatMessages,
} from '../../test/support/formats.js';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { licenseFingerprint, vulnerabilityFingerprint } from './fingerprint.js';
import { snyk } from './snyk.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const parse = (file: string) => parseTestdata('snyk', file);
const readJson = (file: string): unknown => JSON.parse(readTestdata('snyk', file).toString());

describe('snyk: one project', () => {
  const report = parse('project.json');

  it('reads the project header and counts policy-ignored vulnerabilities as suppressed', () => {
    expect(report).toMatchObject({
      format: 'snyk',
      scanner: 'snyk',
      scanType: 'sca',
      artifact: 'acme-web',
      suppressed: 1,
      errors: ['Skipped a vulnerability of acme-web without an id.'],
    });
    expect(report).not.toHaveProperty('scannerVersion');
    expect(report).not.toHaveProperty('scannedAt');
  });

  it('makes one issue of a vulnerability repeated per dependency path, at Snyk\'s worst label', () => {
    const fingerprint = vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2021-23337', package: 'lodash', installedVersion: '4.17.15' });
    expect(report.findings[0]).toEqual({
      kind: 'vulnerability',
      fingerprint,
      title: 'Prototype Pollution',
      vulnerabilityId: 'CVE-2021-23337',
      aliases: ['SNYK-JS-LODASH-1', 'GHSA-35jh-r3h4-6jhm'],
      // severityWithCritical is Snyk's label; `severity` stops at high in older CLIs.
      severity: 'critical',
      scannerSeverity: 'critical',
      score: 9.1,
      description: '## Overview\nlodash is vulnerable.',
      remediation: 'Upgrade a@2.0.0.',
      package: 'lodash',
      installedVersion: '4.17.15',
      fixedVersion: '4.17.21',
      ecosystem: 'npm',
      cwes: ['CWE-94'],
      references: ['https://github.com/lodash/lodash/commit/3469357'],
      occurrence: {
        component: 'package-lock.json',
        dependencyPath: ['acme-web@1.0.0', 'a@1.0.0', 'lodash@4.17.15'],
        details: { project: 'acme-web', upgradeTo: 'a@2.0.0', isUpgradable: true, isPatchable: false },
      },
    });
    expect(report.findings[1]).toMatchObject({
      fingerprint,
      severity: 'high',
      remediation: 'Apply the Snyk patch (snyk protect).',
      occurrence: { dependencyPath: ['acme-web@1.0.0', 'b@1.0.0', 'lodash@4.17.15'], details: { isUpgradable: false, isPatchable: true } },
    });
    expect(issueCounts(report)).toEqual({ critical: 1, high: 0, medium: 1, low: 1, info: 0, total: 3 });
  });

  it('keeps the Snyk id of a vulnerability without CVE and the nearest fixed version', () => {
    expect(report.findings[2]).toMatchObject({
      fingerprint: vulnerabilityFingerprint({ vulnerabilityId: 'SNYK-JS-MINIMIST-2', package: 'minimist', installedVersion: '1.2.0' }),
      vulnerabilityId: 'SNYK-JS-MINIMIST-2',
      aliases: ['SNYK-JS-MINIMIST-OLD'],
      severity: 'low',
      package: 'minimist',
      fixedVersion: '1.2.6',
      remediation: 'Upgrade minimist to 1.2.6.',
    });
    expect(report.findings[2]).not.toHaveProperty('score');
  });

  it('reads a license issue as kind license', () => {
    expect(report.findings[3]).toEqual({
      kind: 'license',
      fingerprint: licenseFingerprint({ license: 'WTFPL', package: 'left-pad', installedVersion: '1.3.0' }),
      title: 'WTFPL license',
      license: 'WTFPL',
      ruleId: 'snyk:lic:npm:left-pad:WTFPL',
      severity: 'medium',
      scannerSeverity: 'medium',
      package: 'left-pad',
      installedVersion: '1.3.0',
      ecosystem: 'npm',
      occurrence: { component: 'package-lock.json', dependencyPath: ['acme-web@1.0.0', 'left-pad@1.3.0'], details: { project: 'acme-web' } },
    });
  });
});

describe('snyk: --all-projects', () => {
  it('reads every project, joins one package across projects and keeps failed projects as errors', () => {
    const report = parse('all-projects.json');
    expect(report).toMatchObject({
      scanner: 'snyk',
      // One project is a container image.
      scanType: 'container',
      artifact: '/work',
      suppressed: 0,
      errors: ['Snyk could not test /work/legacy: Could not detect supported target files in /work/legacy.'],
    });
    // PyYAML (pip) and pyyaml (poetry) are one PyPI project: one issue.
    const fingerprint = vulnerabilityFingerprint({ vulnerabilityId: 'CVE-2020-14343', package: 'pyyaml', installedVersion: '5.3.1' });
    expect(report.findings.map((f) => [f.fingerprint, f.package, f.severity, f.occurrence.component])).toEqual([
      [fingerprint, 'PyYAML', 'critical', 'api/requirements.txt'],
      [fingerprint, 'pyyaml', 'high', 'worker'],
    ]);
    expect(issueCounts(report)).toEqual({ critical: 1, high: 0, medium: 0, low: 0, info: 0, total: 1 });
  });

  it('reads an empty project list as a report without findings', () => {
    expect(parseWith(snyk, [])).toEqual({ format: 'snyk', scanner: 'snyk', scanType: 'sca', findings: [], suppressed: 0, errors: [] });
    expect(snyk.acceptsEmpty).toBeUndefined();
  });

  it('refuses a report in which Snyk tested nothing, naming its error', () => {
    expect(() => parse('only-errors.json')).toThrow(
      new InputError(
        'testdata/snyk/only-errors.json: The Snyk report holds only errors, no test results: Snyk could not test /work: Authentication failed. Please check the API token.',
      ),
    );
  });

  it('rejects projects and vulnerability lists of the wrong type', () => {
    expect(snyk.detect(readJson('bad-vulnerabilities.json'))).toBe(false);
    expect(() => parseWith(snyk, readJson('bad-vulnerabilities.json'))).toThrow(new InputError('Invalid Snyk report: vulnerabilities is a string; expected a list.'));
    expect(snyk.detect(readJson('bad-project.json'))).toBe(false);
    expect(() => parseWith(snyk, readJson('bad-project.json'))).toThrow(new InputError('Invalid Snyk report: [1] is a number; expected an object.'));
  });
});

describe('snyk: any field of the wrong type', () => {
  it.each(['project.json', 'all-projects.json'])('%s: every variant parses or fails with an InputError, never a TypeError', (file) => {
    const failures: string[] = [];
    for (const { path, doc } of withOneFieldBroken(JSON.parse(readTestdata('snyk', file).toString()))) {
      try {
        parseWith(snyk, doc);
      } catch (error) {
        if (!(error instanceof InputError)) failures.push(`${path}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('snyk: detection', () => {
  const reports = testdataFiles('snyk').filter((f) => !f.startsWith('bad-'));

  it.each(reports)('%s is detected as snyk and by no other format', (file) => {
    expect(detectingFormats(readTestdata('snyk', file))).toEqual(['snyk']);
  });

  it('every other --format gives a one-line error naming the file', () => {
    for (const { title, message } of wrongFormatMessages('snyk', 'project.json')) {
      expect(message).toBe(`testdata/snyk/project.json: does not look like ${title}: it looks like Snyk Open Source JSON; use --format snyk or leave --format out.`);
    }
  });
});

describeShared('snyk: the real reports in shared/fixtures/scans/snyk', () => {
  // Derived with python3 from each file and DESIGN.md's rules, not from this parser: every
  // project's vulnerabilities keyed by (type, first of identifiers.CVE else id, packageName,
  // version), each at the worst of severityWithCritical (else severity). E.g. all-projects:
  // guava CVE-2020-8908 at 29.0-jre in two projects is one issue, so 4 entries → 3 issues;
  // single_project_many_vulns: 41 entries, 41 keys, 3 of them critical only in severityWithCritical.
  const expected: Record<string, { counts: [number, number, number, number, number, number]; findings: number }> = {
    'all-projects_many_vulns.json': { counts: [0, 0, 3, 0, 0, 3], findings: 4 },
    'all-projects_no_vulns.json': { counts: [0, 0, 0, 0, 0, 0], findings: 0 },
    'single_project_None_cvss.json': { counts: [0, 0, 0, 1, 0, 1], findings: 1 },
    'single_project_many_vulns.json': { counts: [3, 9, 29, 0, 0, 41], findings: 41 },
    'single_project_one_vuln.json': { counts: [0, 0, 1, 0, 0, 1], findings: 1 },
  };

  it('has an expectation for every fixture', () => {
    expect(sharedFiles('snyk')).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s has the expected issues per severity', (file, { counts, findings }) => {
    const report = parseShared('snyk', file);
    const [critical, high, medium, low, info, total] = counts;
    expect(report.format).toBe('snyk');
    expect(issueCounts(report)).toEqual({ critical, high, medium, low, info, total });
    expect(report.findings).toHaveLength(findings);
    expect(report.suppressed).toBe(0);
    expect(detectingFormats(readShared('scans', 'snyk', file))).toEqual(['snyk']);
  });

  it('reads concrete fields of real findings', () => {
    const one = parseShared('snyk', 'single_project_one_vuln.json');
    expect(one).toMatchObject({ scanType: 'sca', artifact: 'com.test:myframework' });
    expect(one.findings[0]).toMatchObject({
      vulnerabilityId: 'CVE-2019-12400',
      aliases: ['SNYK-JAVA-ORGAPACHESANTUARIO-460281'],
      package: 'org.apache.santuario:xmlsec',
      installedVersion: '2.1.1',
      fixedVersion: '2.1.4',
      severity: 'medium',
      score: 6.5,
      cwes: ['CWE-611'],
      remediation: 'Upgrade org.apache.santuario:xmlsec@2.1.4.',
      occurrence: { component: 'pom.xml', dependencyPath: ['com.test:myframework@1.0.0-SNAPSHOT', 'org.apache.santuario:xmlsec@2.1.1'] },
    });
    const container = parseShared('snyk', 'single_project_None_cvss.json');
    expect(container).toMatchObject({ scanType: 'container', artifact: 'docker-image|a_container-engine-tls' });
    expect(container.findings[0]).toMatchObject({ vulnerabilityId: 'SNYK-SLES153-PERMISSIONS-2648113', aliases: ['SUSE-SU-2022:0141-1'], severity: 'low', fixedVersion: '20181225-23.12.1' });
    expect(container.findings[0]).not.toHaveProperty('score');
    const many = parseShared('snyk', 'single_project_many_vulns.json');
    expect(many.findings.find((f) => f.aliases?.includes('SNYK-JAVA-LOG4J-572732'))).toMatchObject({ vulnerabilityId: 'CVE-2019-17571', severity: 'critical', scannerSeverity: 'critical' });
  });

  it('does not take another scanner\'s report for a Snyk one', () => {
    for (const { name, text } of otherScannersReports(['snyk'])) expect([name, snyk.detect(JSON.parse(text.toString()))]).toEqual([name, false]);
  });
});
