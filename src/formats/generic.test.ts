import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { countIssues, groupFindings } from '../ingest/group.js';
import { keyedFingerprint } from './fingerprint.js';
import { generic } from './generic.js';
import { parseReport } from './index.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/generic/${name}`, import.meta.url));

describe('generic (Harness STO) report', () => {
  const report = parseAll(testdata('every-field.json'), { source: 'generic.json' });
  const [log4shell, xss, weakHash, bucket, tls, weakHashAgain] = report.findings;

  it('names the scanner from meta.subproduct and the scan type from the most common kind', () => {
    expect(report).toMatchObject({ format: 'generic', scanner: 'acmescan', scanType: 'sast', suppressed: 0, errors: [] });
    expect(report.findings.map((f) => f.kind)).toEqual(['vulnerability', 'dast', 'code', 'misconfiguration', 'code', 'code']);
  });

  it('maps every optional field STO documents', () => {
    expect(log4shell).toEqual({
      kind: 'vulnerability',
      fingerprint: keyedFingerprint('acmescan', ['Log4Shell', 'pom.xml']),
      severity: 'critical',
      scannerSeverity: 'Critical',
      score: 10,
      title: 'Log4Shell',
      description: 'Remote code execution through JNDI lookups in log messages.',
      remediation: 'Upgrade log4j-core to 2.17.1.',
      vulnerabilityId: 'CVE-2021-44228',
      aliases: ['GHSA-jfh8-c2jp-5v3q'],
      cwes: ['CWE-502'],
      package: 'log4j-core',
      installedVersion: '2.14.1',
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-44228', 'https://logging.apache.org/log4j/2.x/security.html'],
      tags: ['team-payments', 'owasp:A06:2021'],
      occurrence: {
        filePath: 'pom.xml',
        startLine: 12,
        endLine: 14,
        details: {
          issueType: 'SCA',
          _rawColOffset: 31,
          _rawMoreInfo: 'https://example.org/log4shell',
          _rawFlag: true,
          _rawNull: null,
          _rawIssueCwe: '{"id":502,"link":"https://cwe.mitre.org/data/definitions/502.html"}',
          _rawDeep: '{"a":{"b":{"c":{"d":"…"}}}}',
          _rawList: JSON.stringify([...Array.from({ length: 50 }, (_, i) => i), '…']),
        },
      },
    });
  });

  it('reads a host, a port, a URL, a string score and a subProduct other than the scanner', () => {
    expect(xss).toMatchObject({
      severity: 'medium', score: 6.1, scannerSeverity: 'medium', cwes: ['CWE-79'], tags: ['web', 'search'],
      occurrence: { host: 'pay.acme.io', port: 443, url: 'https://pay.acme.io/search?q=', details: { subProduct: 'ZAP' } },
    });
  });

  it('rates by the score bands and drops a line or port that is not one', () => {
    expect(report.findings.map((f) => [f.severity, f.score])).toEqual([
      ['critical', 10], ['medium', 6.1], ['low', 3.5], ['info', 0], ['high', 7], ['medium', 5],
    ]);
    expect(weakHash?.occurrence).toEqual({ filePath: 'src/auth.js', startLine: 42, endLine: 42 });
    expect(bucket?.occurrence).toEqual({ details: { issueType: 'IAC' } });
    expect(tls?.occurrence).toEqual({});
  });

  it('identifies issues by the meta.key fields, so one issue may have several occurrences', () => {
    expect(weakHashAgain?.fingerprint).toBe(weakHash?.fingerprint);
    expect(weakHashAgain?.occurrence.startLine).toBe(97);
    expect(countIssues(groupFindings(report.findings))).toEqual({ critical: 1, high: 1, medium: 2, low: 0, info: 1, total: 5 });
  });

  it('follows whatever fields meta.key names', () => {
    const doc = (key: string[]) => ({
      meta: { key, subproduct: 'T' },
      issues: [
        { issueName: 'A', issueDescription: 'd', subProduct: 'T', severity: 5, fileName: 'x.js' },
        { issueName: 'A', issueDescription: 'd', subProduct: 'T', severity: 5, fileName: 'y.js' },
      ],
    });
    const [a, b] = parseWith(generic, doc(['issueName'])).findings;
    expect(a?.fingerprint).toBe(b?.fingerprint);
    const [c, d] = parseWith(generic, doc(['issueName', 'fileName'])).findings;
    expect(c?.fingerprint).not.toBe(d?.fingerprint);
    expect(parseWith(generic, doc(['subproduct'])).findings[0]?.fingerprint).toBe(keyedFingerprint('t', ['T']));
  });

  it('reads a report without issues as empty', () => {
    expect(parseAll(testdata('no-issues.json'), { source: 'generic.json' })).toEqual({
      format: 'generic', scanner: 'acmescan', scanType: 'sast', findings: [], suppressed: 0, errors: [],
    });
  });

  it('caps a long _raw value', () => {
    const long = { meta: { key: ['issueName'], subproduct: 'T' }, issues: [{ issueName: 'A', issueDescription: 'd', subProduct: 'T', severity: 1, _rawBlob: { text: 'x'.repeat(5000) } }] };
    const detail = parseWith(generic, long).findings[0]?.occurrence.details?._rawBlob;
    expect(typeof detail === 'string' && detail.length).toBe(2001);
    expect(String(detail).endsWith('x…')).toBe(true);
  });
});

describe('generic report errors', () => {
  const issue = (i: number) => ({ issueName: `Issue ${i}`, issueDescription: 'd', subProduct: 'T', severity: 5 });
  const withIssue3 = (change: (issue: Record<string, unknown>) => void) => {
    const issues: Record<string, unknown>[] = [0, 1, 2, 3, 4].map(issue);
    change(issues[3] as Record<string, unknown>);
    return JSON.stringify({ meta: { key: ['issueName'], subproduct: 'T' }, issues });
  };
  const fail = (input: string) => {
    const run = () => parseAll(input, { source: 'scan.json' });
    expect(run).toThrow(InputError);
    try {
      run();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      return message;
    }
    return '';
  };

  it.each([
    ['severity', 'a CVSS-style number from 0 to 10'],
    ['issueName', 'the name of the issue'],
    ['issueDescription', 'a description of the issue'],
    ['subProduct', 'the name of the tool that found the issue'],
  ])('names the index and the field when issue 3 has no %s', (field, expected) => {
    const message = fail(withIssue3((i) => delete i[field]));
    expect(message).toBe(`scan.json: Generic report issues[3] is missing the required field "${field}"; expected ${expected}. Nothing was ingested.`);
  });

  it('reads the subproduct spelling of STO examples as subProduct', () => {
    const input = withIssue3((i) => {
      delete i.subProduct;
      i.subproduct = 'T';
    });
    expect(parseAll(input, { source: 'scan.json' }).findings).toHaveLength(5);
  });

  it.each([
    [(i: Record<string, unknown>) => (i.severity = 'high'), 'scan.json: Generic report issues[3] has "severity" of the wrong type (a string); expected a CVSS-style number from 0 to 10. Nothing was ingested.'],
    [(i: Record<string, unknown>) => (i.severity = 11), 'scan.json: Generic report issues[3] has severity 11; expected a CVSS-style number from 0 to 10. Nothing was ingested.'],
    [(i: Record<string, unknown>) => (i.issueName = ['a']), 'scan.json: Generic report issues[3] has "issueName" of the wrong type (an array); expected the name of the issue. Nothing was ingested.'],
    [(i: Record<string, unknown>) => (i.severity = null), 'scan.json: Generic report issues[3] is missing the required field "severity"; expected a CVSS-style number from 0 to 10. Nothing was ingested.'],
  ])('rejects a field of the wrong kind (%#)', (change, message) => {
    expect(fail(withIssue3(change))).toBe(message);
  });

  it.each([
    ['an issue that is not an object', '{"meta": {"key": ["issueName"], "subproduct": "T"}, "issues": [7]}', 'scan.json: Generic report issues[0] is a number; expected an object. Nothing was ingested.'],
    ['no meta.subproduct', '{"meta": {"key": ["issueName"]}, "issues": []}', 'scan.json: Generic report has no "meta.subproduct"; expected the name of the scanning tool. Nothing was ingested.'],
    ['no meta.key', '{"meta": {"subproduct": "T"}, "issues": []}', 'scan.json: Generic report has meta.key null; expected a list of the issue fields that identify an issue, such as ["issueName"]. Nothing was ingested.'],
  ])('rejects %s', (_what, input, message) => {
    expect(fail(input)).toBe(message);
  });

  it.each([
    ['truncated JSON', '{"meta": {"key": ["issueName"]', /^bad\.json: not valid JSON \(.+\); expected a JSON report/],
    ['a report of another format', '{"SchemaVersion": 2, "ArtifactName": "x", "Results": []}', /^bad\.json: does not look like Generic JSON \(Harness STO custom ingestion format\): /],
  ])('rejects %s with --format generic', (_what, input, message) => {
    const run = () => parseAll(input, { source: 'bad.json', format: 'generic' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });
});
