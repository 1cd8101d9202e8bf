import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { countIssues, groupFindings } from '../ingest/group.js';
import { checkov } from './checkov.js';
import { misconfigurationFingerprint } from './fingerprint.js';
import { parseReport } from './index.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/checkov/${name}`, import.meta.url));

describe('Checkov report of one framework', () => {
  const report = parseAll(testdata('framework-object.json'), { source: 'checkov.json' });

  it('reads failed checks only, counts skipped ones as suppressed and reports parsing errors', () => {
    expect(report).toMatchObject({
      format: 'checkov', scanner: 'checkov', scannerVersion: '3.2.10', scanType: 'iac', suppressed: 1,
      errors: ['Checkov (terraform) could not parse /broken.tf'],
    });
    expect(report.findings.map((f) => f.ruleId)).toEqual(['CKV_AWS_20', 'CKV_AWS_18', 'CKV_AWS_145', 'CKV_AWS_145']);
  });

  it('keeps the label, reading a null or missing severity as medium', () => {
    expect(report.findings.map((f) => [f.severity, f.scannerSeverity])).toEqual([
      ['high', 'HIGH'], ['medium', undefined], ['medium', undefined], ['low', 'LOW'],
    ]);
  });

  it('keeps the line range, the resource, the guideline and the framework', () => {
    const guideline = 'https://docs.prismacloud.io/en/enterprise-edition/policy-reference/aws-policies/s3-policies/s3-1-acl-read-permissions-everyone';
    expect(report.findings[0]).toEqual({
      kind: 'misconfiguration',
      fingerprint: misconfigurationFingerprint({ scanner: 'checkov', checkId: 'CKV_AWS_20', filePath: '/s3.tf', resource: 'aws_s3_bucket.site' }),
      severity: 'high',
      scannerSeverity: 'HIGH',
      title: 'S3 Bucket has an ACL defined which allows public READ access.',
      ruleId: 'CKV_AWS_20',
      references: [guideline],
      occurrence: {
        filePath: '/s3.tf', startLine: 1, endLine: 3, resource: 'aws_s3_bucket.site',
        snippet: 'resource "aws_s3_bucket" "site" {\n  acl = "public-read"\n}\n',
        details: { checkType: 'terraform', bcCheckId: 'BC_AWS_S3_1', guideline },
      },
    });
  });

  it('tells apart one check on two resources', () => {
    const [, , site, logs] = report.findings;
    expect(site?.fingerprint).not.toBe(logs?.fingerprint);
  });
});

describe('Checkov report of several frameworks', () => {
  const report = parseAll(testdata('frameworks-array.json'), { source: 'checkov.json' });
  const [pod, secret] = report.findings;

  it('reads every framework of the array, with its check type', () => {
    expect(report).toMatchObject({ scannerVersion: '3.2.10', suppressed: 0, errors: [] });
    expect(report.findings.map((f) => [f.ruleId, f.severity, f.occurrence.details?.checkType])).toEqual([
      ['CKV_K8S_20', 'medium', 'kubernetes'], ['CKV_SECRET_2', 'high', 'secrets'],
    ]);
  });

  it('drops a line range of 0 and never keeps the quoted line of a secrets check', () => {
    expect(pod?.occurrence).toEqual({
      filePath: '/k8s/pod.yaml', resource: 'Pod.default.web', snippet: 'apiVersion: v1\n', details: { checkType: 'kubernetes' },
    });
    expect(pod?.references).toBeUndefined();
    expect(secret?.occurrence).toEqual({ filePath: '/config.py', startLine: 3, endLine: 4, resource: 'd9c8b7a6', details: { checkType: 'secrets' } });
  });
});

describe('Checkov empty and bad input', () => {
  it('reads the bare summary of a run with nothing to scan as an empty report', () => {
    expect(parseAll(testdata('summary-only.json'), { source: 'checkov.json' })).toEqual({
      format: 'checkov', scanner: 'checkov', scannerVersion: '3.2.10', scanType: 'iac', findings: [], suppressed: 0, errors: [],
    });
  });

  it.each([
    ['truncated JSON', '{"check_type": "terraform", "results": {', /^bad\.json: not valid JSON \(.+\); expected a JSON report/],
    ['a report of another format', '{"vulnerabilities": [], "packageManager": "npm"}', /^bad\.json: does not look like Checkov JSON: /],
    ['a failed check without an id', '[{"check_type": "terraform", "results": {"failed_checks": [{"file_path": "/a.tf"}]}}]',
      /^bad\.json: Checkov \[0\]\.results\.failed_checks\[0\] has no "check_id"; expected the id of the failed check/],
  ])('rejects %s with one line naming the file', (_what, input, message) => {
    const run = () => parseAll(input, { source: 'bad.json', format: 'checkov' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });

  it('names the check of a single framework by its path', () => {
    expect(() => parseWith(checkov, { check_type: 'terraform', results: { failed_checks: [{}] } })).toThrow('Checkov results.failed_checks[0] has no "check_id"');
  });
});

// Expected counts: python3 over each file, failed_checks only, severity lower-cased with null or
// missing as medium, one issue per distinct (check_id, file_path, resource) at its worst severity.
describeShared('Checkov conformance over the shared fixtures', () => {
  it.each([
    ['checkov-report-severity.json', { critical: 0, high: 1, medium: 2, low: 1, info: 0, total: 4 }],
    ['checkov-report-multiple-check_type.json', { critical: 0, high: 0, medium: 13, low: 0, info: 0, total: 13 }],
    ['checkov2-report-0-vuln.json', { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 }],
  ])('%s', (file, counts) => {
    const report = parseAll(readShared('scans', 'checkov', file), { source: file });
    expect(report.format).toBe('checkov');
    expect(countIssues(groupFindings(report.findings))).toEqual(counts);
  });

  it('keeps the guideline and line range of the severity report', () => {
    const report = parseAll(readShared('scans', 'checkov', 'checkov-report-severity.json'), { source: 'checkov.json' });
    expect(report.scannerVersion).toBe('2.2.34');
    expect(report.findings[3]).toMatchObject({
      ruleId: 'CKV_GCP_28', severity: 'high', references: ['https://docs.bridgecrew.io/docs/bc_gcp_public_1'],
      occurrence: { filePath: '/gcs.tf', startLine: 17, endLine: 21, resource: 'google_storage_bucket_iam_binding.allow_public_read' },
    });
  });
});
