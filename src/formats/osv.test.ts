import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { countIssues, groupFindings } from '../ingest/group.js';
import { parseReport } from './index.js';
import { osv } from './osv.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/osv/${name}`, import.meta.url));

describe('OSV-Scanner report', () => {
  const report = parseAll(testdata('severity-sources.json'), { source: 'osv.json' });
  const byId = (id: string) => report.findings.find((f) => f.vulnerabilityId === id);

  it('reads one finding per group of each package', () => {
    expect(report).toMatchObject({ format: 'osv', scanner: 'osv-scanner', scanType: 'sca', suppressed: 0, errors: [] });
    expect(report.findings.map((f) => [f.vulnerabilityId, f.package, f.installedVersion])).toEqual([
      ['CVE-2021-33503', 'urllib3', '1.26.3'],
      ['CVE-2020-28493', 'jinja2', '2.11.2'],
      ['CVE-2024-22195', 'jinja2', '2.11.2'],
      ['GHSA-cpwx-vrp4-4pq7', 'jinja2', '2.11.2'], // named by no group: its own
      ['MAL-2024-0001', 'left-pad-ng', '0.0.1'],
      ['OSV-2024-17', 'github.com/acme/lib', '9f2c1e0'], // a git package is versioned by commit; the empty group is ignored
    ]);
  });

  it('collapses a group of aliases into one issue named by its CVE', () => {
    expect(byId('CVE-2021-33503')).toMatchObject({
      kind: 'vulnerability',
      aliases: ['GHSA-q2q7-5pp4-w6pg', 'PYSEC-2021-108'],
      title: 'Catastrophic backtracking in URL authority parser',
      description: 'When a URL has many @ characters in its authority, parsing takes quadratic time.',
      fixedVersion: '1.26.5',
      ecosystem: 'PyPI',
      cwes: ['CWE-400'],
      references: ['https://nvd.nist.gov/vuln/detail/CVE-2021-33503', 'https://github.com/urllib3/urllib3/security/advisories/GHSA-q2q7-5pp4-w6pg'],
      occurrence: { component: 'services/api/requirements.txt' },
    });
    expect(byId('MAL-2024-0001')).toMatchObject({ aliases: ['GHSA-xxxx-yyyy-zzzz'], cwes: ['CWE-506'], title: 'Malicious code in left-pad-ng (npm)' });
  });

  it('rates by max_severity, else the highest CVSS v3.x or v4.0 base score, else critical for malware, else info', () => {
    const rated = report.findings.map((f) => [f.vulnerabilityId, f.severity, f.score, f.occurrence.details?.cvssVector]);
    expect(rated).toEqual([
      ['CVE-2021-33503', 'high', 7.5, undefined], // max_severity "7.5" wins over the vector (A:H, also 7.5 but not read)
      ['CVE-2020-28493', 'medium', 5.3, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L'], // blank max_severity: the v3.1 vector
      ['CVE-2024-22195', 'medium', 5.3, 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N'], // v4.0 5.3 beats v3.1 4.3
      ['GHSA-cpwx-vrp4-4pq7', 'critical', 9.3, 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'],
      ['MAL-2024-0001', 'critical', undefined, undefined], // only Ubuntu and CVSS v2 ratings, none Lantern scores: a malicious package
      ['OSV-2024-17', 'info', undefined, undefined],
    ]);
    expect(report.findings.every((f) => f.scannerSeverity === undefined)).toBe(true);
  });
});

describe('OSV-Scanner git commits, advisory labels and malware', () => {
  const report = parseAll(testdata('commits-labels-malware.json'), { source: 'osv.json' });

  it('names a package found as a git commit by the repository it was found in, versioned by the commit', () => {
    expect(report.findings[0]).toMatchObject({
      vulnerabilityId: 'OSV-2023-881', package: '/src/acme/vendor/libyaml', installedVersion: '3f9c2b7d0e4a51c6', fixedVersion: '8d1e6c5a',
      occurrence: { component: '/src/acme/vendor/libyaml' },
    });
    expect(report.findings[0]?.ecosystem).toBeUndefined();
  });

  it("takes the advisory's label when there is no max_severity and no vector, and malware is critical", () => {
    expect(report.findings.map((f) => [f.vulnerabilityId, f.package, f.severity, f.scannerSeverity])).toEqual([
      ['OSV-2023-881', '/src/acme/vendor/libyaml', 'info', undefined],
      ['GHSA-aaaa-bbbb-cccc', 'tar-lite', 'medium', 'MODERATE'],
      ['GHSA-dddd-eeee-ffff', 'tar-lite', 'low', 'LOW'],
      ['MAL-2025-3141', 'colours-js', 'critical', undefined], // an OpenSSF malicious-packages id
      ['GHSA-gggg-hhhh-iiii', 'event-streamer', 'critical', undefined], // "Malicious code in …"
      ['GHSA-jjjj-kkkk-llll', 'event-streamer', 'critical', undefined], // typed malware; UNKNOWN says nothing
    ]);
    expect(countIssues(groupFindings(report.findings))).toEqual({ critical: 3, high: 0, medium: 1, low: 1, info: 1, total: 6 });
  });

  it('refuses a git commit package when nothing names its repository', () => {
    const input = '{"results": [{"packages": [{"package": {"name": "", "commit": "abc"}, "vulnerabilities": [{"id": "OSV-1"}]}]}]}';
    expect(() => parseAll(input, { source: 'bad.json', format: 'osv' })).toThrow(
      /^bad\.json: OSV-Scanner results\[0\]\.packages\[0\] is a git commit with no "package\.name" and its result no "source\.path"/,
    );
  });

  it('reads an empty results list as a report with nothing found', () => {
    expect(parseAll(testdata('no-results.json'), { source: 'osv.json' })).toEqual({
      format: 'osv', scanner: 'osv-scanner', scanType: 'sca', findings: [], suppressed: 0, errors: [],
    });
  });
});

describe('OSV-Scanner empty and bad input', () => {
  it('reads a 0-byte file and a bare {"results": []} as empty only with --format osv', () => {
    expect(parseAll('', { source: 'osv.json', format: 'osv' }).findings).toEqual([]);
    expect(parseAll('{"results": []}', { source: 'osv.json', format: 'osv' }).findings).toEqual([]);
    expect(() => parseAll('', { source: 'osv.json' })).toThrow(/^osv\.json: the file is empty \(0 bytes\)/);
    expect(osv.detect({ results: [] })).toBe(false);
  });

  it.each([
    ['truncated JSON', '{"results": [{"packages": [', /^bad\.json: not valid JSON \(.+\); expected a JSON report/],
    ['a report of another format', '{"matches": [], "descriptor": {"name": "grype"}}', /^bad\.json: does not look like OSV-Scanner JSON: /],
    ['a package without a name', '{"results": [{"packages": [{"package": {"version": "1"}, "groups": []}]}]}',
      /^bad\.json: OSV-Scanner results\[0\]\.packages\[0\] has no "package\.name"; expected the name of the vulnerable package\.$/],
  ])('rejects %s with one line naming the file', (_what, input, message) => {
    const run = () => parseAll(input, { source: 'bad.json', format: 'osv' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });
});

// Expected counts: python3 over the file, one issue per groups[] entry of each package, canonical
// id a CVE among ids and aliases else the first id; the only group has no max_severity and its
// vulnerability no severity[] vectors, but it is a MAL- advisory, so it is critical. no_findings.json is 0 bytes.
describeShared('OSV-Scanner conformance over the shared fixtures', () => {
  it.each([
    ['some_findings.json', undefined, { critical: 1, high: 0, medium: 0, low: 0, info: 0, total: 1 }],
    ['no_findings.json', 'osv', { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 }],
  ])('%s', (file, format, counts) => {
    const report = parseAll(readShared('scans', 'osv', file), { source: file, format });
    expect(report.format).toBe('osv');
    expect(countIssues(groupFindings(report.findings))).toEqual(counts);
  });

  it('names the malicious-package advisory by its first id and keeps the GHSA alias', () => {
    const [finding] = parseAll(readShared('scans', 'osv', 'some_findings.json'), { source: 'some_findings.json' }).findings;
    expect(finding).toMatchObject({ vulnerabilityId: 'MAL-2023-1035', aliases: ['GHSA-8348-2q94-ffjx'], package: 'flot-axis', installedVersion: '0.0.0', cwes: ['CWE-506'] });
  });
});
