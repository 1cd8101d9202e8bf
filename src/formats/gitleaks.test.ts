import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, readShared, sharedAvailable, sharedPath } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { countIssues, groupFindings } from '../ingest/group.js';
import { secretFingerprint } from './fingerprint.js';
import { gitleaks } from './gitleaks.js';
import { parseReport } from './index.js';
import { secretSha256 } from './secret.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/gitleaks/${name}`, import.meta.url));

describe('Gitleaks v8 report', () => {
  const report = parseAll(testdata('v8.json'), { source: 'gitleaks.json' });
  const [first, second, token, password] = report.findings;

  it('reads every leak as a high secret finding', () => {
    expect(report).toMatchObject({ format: 'gitleaks', scanner: 'gitleaks', scanType: 'secret', suppressed: 0, errors: [] });
    expect(report.findings.map((f) => [f.kind, f.severity, f.ruleId, f.title])).toEqual([
      ['secret', 'high', 'aws-access-token', 'AWS Access Key'],
      ['secret', 'high', 'aws-access-token', 'AWS Access Key'],
      ['secret', 'high', 'github-pat', 'GitHub Personal Access Token'],
      ['secret', 'high', 'generic-password', 'Generic Password'],
    ]);
  });

  it('keeps the masked secret, the redacted match, and commit, author and e-mail on the occurrence', () => {
    expect(first).toMatchObject({
      fingerprint: secretFingerprint({ ruleId: 'aws-access-token', filePath: 'deploy/terraform.tfvars', secretSha256: secretSha256('AKIAZ3EXAMPLEKEY7Q2B') }),
      tags: ['aws', 'key'],
    });
    expect(first?.occurrence).toEqual({
      filePath: 'deploy/terraform.tfvars', startLine: 4, endLine: 4, startColumn: 15, endColumn: 34,
      snippet: 'aws_access_key = "AKIA****"', secretMasked: 'AKIA****',
      commit: '1f7e2c9d4b3a', author: 'Dana Developer', email: 'dana@acme.io',
      details: {
        entropy: 3.84,
        gitleaksFingerprint: '1f7e2c9d4b3a:deploy/terraform.tfvars:aws-access-token:4',
        link: 'https://github.com/acme/payments/blob/1f7e2c9d4b3a/deploy/terraform.tfvars#L4',
        date: '2025-11-02T10:15:00Z',
        commitMessage: 'add key AKIA**** for the deploy job',
      },
    });
  });

  it('makes one issue of the same secret in the same file in two commits', () => {
    expect(second?.fingerprint).toBe(first?.fingerprint);
    expect(second?.occurrence).toMatchObject({ commit: '8a6b5c4d3e2f', author: 'Sam Reviewer', startLine: 9 });
    expect(countIssues(groupFindings(report.findings))).toEqual({ critical: 0, high: 3, medium: 0, low: 0, info: 0, total: 3 });
  });

  it('takes the match as the secret when Secret is empty, and masks short secrets whole', () => {
    expect(token?.occurrence).toMatchObject({ filePath: '.env', snippet: 'ghp_****', secretMasked: 'ghp_****' });
    expect(token?.occurrence.commit).toBeUndefined();
    expect(token?.tags).toBeUndefined();
    expect(password?.occurrence).toMatchObject({ snippet: '  db_password: ****   # rotate me', secretMasked: '****', startLine: 12 });
  });
});

describe('Gitleaks v7 report', () => {
  const report = parseAll(testdata('v7.json'), { source: 'gitleaks.json' });
  const [slack, pass] = report.findings;

  it('reads the lower-case v7 keys', () => {
    expect(slack).toEqual({
      kind: 'secret',
      fingerprint: secretFingerprint({ ruleId: 'Slack Token', filePath: '.env', secretSha256: secretSha256('xoxb-fake-1234567890-abcdefghij') }),
      severity: 'high',
      title: 'Slack Token',
      ruleId: 'Slack Token',
      tags: ['key', 'Slack'],
      occurrence: {
        filePath: '.env', startLine: 3, endLine: 3,
        snippet: 'SLACK_TOKEN=xoxb****', secretMasked: 'xoxb****',
        commit: 'c0ffee1234', author: 'Dana Developer', email: 'dana@acme.io',
        details: { repository: 'payments', link: 'https://github.com/acme/payments/blob/c0ffee1234/.env#L3', date: '2021-03-04T05:06:07Z', commitMessage: 'wire up slack' },
      },
    });
    expect(pass?.occurrence).toEqual({ filePath: 'src/db.py', snippet: 'password = "hunt****"', secretMasked: 'hunt****' });
    expect(pass?.tags).toBeUndefined();
  });
});

describe('Gitleaks empty and bad input', () => {
  it.each(['empty-null.json', 'empty-array.json'])('reads %s as an empty report only with --format gitleaks', (name) => {
    expect(parseAll(testdata(name), { source: name, format: 'gitleaks' })).toEqual({
      format: 'gitleaks', scanner: 'gitleaks', scanType: 'secret', findings: [], suppressed: 0, errors: [],
    });
    expect(() => parseAll(testdata(name), { source: name })).toThrow(InputError);
  });

  it.each([
    ['truncated JSON', '[{"RuleID": "x", "Secret": "abc', /^bad\.json: not valid JSON \(.+\); expected a JSON report/],
    ['a report of another format', '[{"vulnerabilities": [], "packageManager": "npm"}]', /^bad\.json: does not look like Gitleaks JSON: /],
    ['a leak without a secret', '[{"RuleID": "aws-access-token", "File": "a.tf", "Secret": "", "Match": ""}]',
      /^bad\.json: Gitleaks leak \[0\] \(rule "aws-access-token"\) has no secret \("Secret" or "Match" in v8, "offender" in v7\)/],
  ])('rejects %s with one line naming the file', (_what, input, message) => {
    const run = () => parseAll(input, { source: 'bad.json', format: 'gitleaks' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });

  it('names the leak that has no rule id when parse() is handed one', () => {
    expect(() => parseWith(gitleaks, [{ rule: '', offender: 'x' }])).toThrow('Gitleaks leak [0] has no rule id');
  });
});

/** Every secret value, and every match or line that holds one, that a raw Gitleaks report contains. */
function clearTexts(raw: string): string[] {
  const leaks: unknown = JSON.parse(raw);
  if (!Array.isArray(leaks)) return [];
  return leaks.flatMap((leak: Record<string, unknown>) => {
    const secret = [leak.Secret, leak.Match, leak.offender].find((v): v is string => typeof v === 'string' && v !== '');
    const texts = [leak.Secret, leak.offender, leak.Match, leak.Line, leak.line].filter((v): v is string => typeof v === 'string' && v !== '');
    return texts.filter((text) => secret !== undefined && text.includes(secret));
  });
}

function expectNoSecrets(raw: string, format: string | undefined) {
  const texts = clearTexts(raw);
  const stored = JSON.stringify(parseAll(raw, { source: 'gitleaks.json', format }));
  for (const text of texts) {
    expect(stored).not.toContain(text);
    expect(stored).not.toContain(JSON.stringify(text).slice(1, -1));
  }
  return texts.length;
}

describe('Gitleaks never keeps a secret in clear', () => {
  it.each(readdirSync(new URL('./testdata/gitleaks/', import.meta.url)))('in testdata/gitleaks/%s', (name) => {
    const checked = expectNoSecrets(testdata(name).toString('utf8'), 'gitleaks');
    // Counted by hand: v8 has 2 + 2 + 1 + 3 such texts (Secret, Match, Line), v7 has 2 + 2 (offender, line).
    expect(checked).toBe({ 'v8.json': 8, 'v7.json': 4 }[name] ?? 0);
  });
});

// Expected counts: python3 over the file, one issue per distinct (RuleID, File, sha256(Secret)),
// all high (Gitleaks has no severity): the two aws-access-token leaks share file and secret.
describeShared('Gitleaks conformance over the shared fixtures', () => {
  it.each([
    ['gitleaks8_many.json', 'gitleaks', { critical: 0, high: 3, medium: 0, low: 0, info: 0, total: 3 }],
    ['no_findings.json', 'gitleaks', { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 }],
  ])('%s', (file, format, counts) => {
    const report = parseAll(readShared('scans', 'gitleaks', file), { source: file, format });
    expect(report.format).toBe('gitleaks');
    expect(countIssues(groupFindings(report.findings))).toEqual(counts);
  });

  it.each(sharedAvailable ? readdirSync(sharedPath('scans', 'gitleaks')) : [])('keeps no secret of %s in clear', (file) => {
    const checked = expectNoSecrets(readShared('scans', 'gitleaks', file).toString('utf8'), 'gitleaks');
    // Counted with python3: each of the 4 leaks of gitleaks8_many.json has a Secret and a Match holding it.
    expect(checked).toBe(file === 'gitleaks8_many.json' ? 8 : 0);
  });
});
