import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import { parseAll } from '../../test/support/formats-read.js';
import { ReportShape } from './shape.js';

/**
 * A structurally wrong report is refused, with the field's path, instead of being half read: each
 * of these was once accepted with its findings silently lost. Each is read whole and with every
 * array lazy (formats/lazy-json.ts), which must not change the answer.
 */
const cases: [format: string, report: unknown, message: string][] = [
  [
    'trivy',
    { SchemaVersion: 2, ArtifactName: '.', Results: [{ Target: 'main.tf', Misconfigurations: { ID: 'AVD-AWS-0089' } }] },
    'Invalid Trivy report: Results[0].Misconfigurations is an object; expected a list.',
  ],
  [
    'trivy',
    { SchemaVersion: 2, ArtifactName: '.', Results: [{ Target: 'a', Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-1', PkgName: { name: 'a' } }] }] },
    'Invalid Trivy report: Results[0].Vulnerabilities[0].PkgName is an object; expected a string.',
  ],
  [
    'aqua',
    { image: 'alpine:3', resources: [{ resource: { name: 'musl' }, vulnerabilities: 'CVE-2024-1' }] },
    'Invalid Aqua report: resources[0].vulnerabilities is a string; expected a list.',
  ],
  [
    'sarif',
    { version: '2.1.0', runs: [{ tool: { driver: { name: 'codeql' } }, results: [{ ruleId: 'r', message: { text: 'm' }, locations: 'src/a.py' }] }] },
    'Invalid SARIF log: runs[0].results[0].locations is a string; expected a list.',
  ],
  [
    'sarif',
    { version: '1.0.0', $schema: 'https://schemastore.azurewebsites.net/schemas/json/sarif-1.0.0.json', runs: [] },
    'Invalid SARIF log: version is "1.0.0"; Lantern reads SARIF version 2.1.0 only.',
  ],
  [
    'sarif',
    { version: '2.1.0', runs: [{ tool: { driver: { name: 'x', rules: [{ id: 'r', properties: { tags: 'security' } }, { id: 's', properties: [] }] } }, results: [] }] },
    'Invalid SARIF log: runs[0].tool.driver.rules[1].properties is a list; expected an object.',
  ],
  [
    'snyk',
    { projectName: 'web', packageManager: 'npm', vulnerabilities: [{ id: 'SNYK-JS-1', from: { a: 1 } }] },
    'Invalid Snyk report: vulnerabilities[0].from is an object; expected a list of strings.',
  ],
  [
    'grype',
    { descriptor: { name: 'grype' }, matches: [{ vulnerability: { id: 'CVE-2024-1' }, artifact: { name: 'a', locations: { path: '/a' } } }] },
    'Invalid Grype report: matches[0].artifact.locations is an object; expected a list.',
  ],
  [
    'osv',
    { results: [{ source: { path: 'package-lock.json' }, packages: [{ package: { name: 'a' }, vulnerabilities: { id: 'GHSA-1' } }] }] },
    'Invalid OSV-Scanner report: results[0].packages[0].vulnerabilities is an object; expected a list.',
  ],
  [
    'semgrep',
    { results: [{ check_id: 'r', path: 'a.py', extra: { metadata: { cwe: { id: 79 } } } }], errors: [] },
    'Invalid Semgrep report: results[0].extra.metadata.cwe is an object; expected a list of strings.',
  ],
  [
    'gitleaks',
    [{ RuleID: 'aws', Secret: 'AKIAIOSFODNN7EXAMPLE', File: 'a.env', Tags: [{ name: 'aws' }] }],
    'Invalid Gitleaks report: [0].Tags[0] is an object; expected a string.',
  ],
  [
    'checkov',
    { check_type: 'terraform', results: { failed_checks: [{ check_id: 'CKV_AWS_1', file_line_range: '1-3' }] } },
    'Invalid Checkov report: results.failed_checks[0].file_line_range is a string; expected a list.',
  ],
  [
    'generic',
    { meta: { key: ['issueName'], subproduct: 'tool' }, issues: [{ issueName: 'a', issueDescription: 'b', subProduct: 'tool', severity: 5, referenceIdentifiers: { type: 'cve' } }] },
    'Invalid generic report: issues[0].referenceIdentifiers is an object; expected a list.',
  ],
];

describe('a field of the wrong type refuses the report, naming its path', () => {
  it('covers every format', () => {
    expect(new Set(cases.map(([format]) => format)).size).toBe(10);
  });

  it.each(cases)('%s: %j', (format, report, message) => {
    for (const lazyThreshold of [undefined, 0]) {
      for (const named of [undefined, format]) {
        expect(() => parseAll(JSON.stringify(report), { source: 'r.json', format: named, lazyThreshold })).toThrow(new InputError(`r.json: ${message}`));
      }
    }
  });

  it('reads null and missing fields as absent: Go tools write null for an empty list', () => {
    const report = { SchemaVersion: 2, ArtifactName: '.', Results: [{ Target: 'a', Vulnerabilities: null, Misconfigurations: null }], Metadata: null };
    expect(parseAll(JSON.stringify(report), { source: 'r.json' }).findings).toEqual([]);
  });
});

describe('ReportShape', () => {
  const shape = new ReportShape('Test report');

  it('names the type of a wrong value but never quotes it: it may be a secret', () => {
    expect(() => shape.check({ token: ['AKIAIOSFODNN7EXAMPLE'] }, 'leak', { token: 'text' })).toThrow(
      new InputError('Invalid Test report: leak.token is a list; expected a string.'),
    );
    expect(() => shape.check({ Tags: 'AKIAIOSFODNN7EXAMPLE' }, '', { Tags: 'objects' })).toThrow(new InputError('Invalid Test report: Tags is a string; expected a list.'));
  });

  it('accepts a number written as text and a single text as a list, as scanners write them', () => {
    const entry = { score: '7.5', label: 7, tags: 'one', none: null };
    expect(shape.check(entry, '', { score: 'number', label: 'text', tags: 'texts', none: 'objects', missing: 'object' })).toBe(entry);
  });
});
