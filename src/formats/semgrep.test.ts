import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { InputError } from '../domain/errors.js';
import { countIssues, groupFindings } from '../ingest/group.js';
import { codeFingerprint } from './fingerprint.js';
import { parseReport } from './index.js';
import { semgrep } from './semgrep.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const testdata = (name: string) => readFileSync(new URL(`./testdata/semgrep/${name}`, import.meta.url));

describe('Semgrep report', () => {
  const report = parseAll(testdata('labels-cwes-fingerprints.json'), { source: 'semgrep.json' });
  const [sql, xss, lockfile, critical, inventory, unlabelled] = report.findings;

  it('reads the scanner version and leaves out results marked ignored', () => {
    expect(report).toMatchObject({ format: 'semgrep', scanner: 'semgrep', scannerVersion: '1.50.0', scanType: 'sast', suppressed: 1 });
    expect(report.findings).toHaveLength(6);
  });

  it('maps ERROR/WARNING/INFO to high/medium/low, common labels as usual, anything else to info', () => {
    expect(report.findings.map((f) => [f.severity, f.scannerSeverity])).toEqual([
      ['high', 'ERROR'], ['medium', 'WARNING'], ['low', 'INFO'], ['critical', 'CRITICAL'], ['info', 'INVENTORY'], ['info', undefined],
    ]);
  });

  it('keeps rule, place, snippet, fix and metadata', () => {
    expect(sql).toEqual({
      kind: 'code',
      fingerprint: codeFingerprint({ scanner: 'semgrep', ruleId: 'python.django.security.injection.sql.sql-injection-using-raw', filePath: 'app/views.py', stableFingerprint: '5c1f0a9d3e' }),
      severity: 'high',
      scannerSeverity: 'ERROR',
      // The message's first sentence, not the rule id (kept as ruleId).
      title: 'User input flows into a raw SQL query.',
      description: 'User input flows into a raw SQL query.',
      remediation: 'Suggested fix: Model.objects.raw("SELECT * FROM t WHERE id = %s", [request.GET["id"]])',
      ruleId: 'python.django.security.injection.sql.sql-injection-using-raw',
      cwes: ['CWE-89'],
      references: [
        'https://docs.djangoproject.com/en/4.2/topics/security/#sql-injection-protection',
        'https://semgrep.dev/r/python.django.security.injection.sql.sql-injection-using-raw',
      ],
      tags: ['A01:2017 - Injection', 'A03:2021 - Injection', 'security'],
      occurrence: {
        filePath: 'app/views.py', startLine: 12, endLine: 12, startColumn: 5, endColumn: 61,
        snippet: '    rows = Model.objects.raw("SELECT * FROM t WHERE id = %s" % request.GET["id"])',
        details: { confidence: 'HIGH', likelihood: 'MEDIUM', impact: 'HIGH' },
      },
    });
  });

  it('reads metadata.cwe as a string or a list', () => {
    expect(sql?.cwes).toEqual(['CWE-89']);
    expect(xss?.cwes).toEqual(['CWE-79', 'CWE-80']);
    expect(lockfile?.cwes).toBeUndefined();
  });

  it('ignores "requires login" fingerprints and snippets, falling back to the snippet, then the message', () => {
    const base = { scanner: 'semgrep' };
    expect(xss?.fingerprint).toBe(codeFingerprint({ ...base, ruleId: 'javascript.browser.security.insecure-document-method', filePath: 'web/render.js', snippetOrMessage: 'User controlled data in innerHTML is an XSS risk.' }));
    expect(xss?.occurrence.snippet).toBeUndefined();
    expect(lockfile?.fingerprint).toBe(codeFingerprint({ ...base, ruleId: 'generic.ci.security.use-frozen-lockfile', filePath: 'Dockerfile', snippetOrMessage: 'RUN npm install' }));
  });

  it('drops positions that are not lines', () => {
    expect(unlabelled?.occurrence).toEqual({ filePath: 'go.sum' });
    expect([critical?.occurrence.startLine, inventory?.occurrence.startLine]).toEqual([3, 1]);
  });

  it('reports errors[] on the scan, one readable line each, not as issues', () => {
    expect(report.errors).toEqual([
      'warn: PartialParsing in app/legacy.py: Syntax error at line app/legacy.py:2: `print "x"` was unexpected',
      'error: Timeout: Rule timed out',
    ]);
  });
});

describe('Semgrep fingerprints without a stable fingerprint', () => {
  const run = (line: number, lines: string, checkId = 'r.eval') => parseAll(JSON.stringify({
    results: [{ check_id: checkId, path: 'a.py', start: { line, col: 1 }, end: { line, col: 9 }, extra: { severity: 'ERROR', message: 'eval', fingerprint: 'requires login', lines } }],
    errors: [],
  }), { source: 'semgrep.json' }).findings[0]?.fingerprint;

  it('keep an issue that moved or was re-indented, and tell apart another snippet or rule', () => {
    expect(run(40, '  eval(x)')).toBe(run(10, 'eval(x)'));
    expect(run(10, 'eval(y)')).not.toBe(run(10, 'eval(x)'));
    expect(run(10, 'eval(x)', 'r.exec')).not.toBe(run(10, 'eval(x)'));
  });
});

describe('Semgrep bad input', () => {
  it.each([
    ['truncated JSON', '{"results": [{"check_id": "x"', /^bad\.json: not valid JSON \(.+\); expected a JSON report/],
    ['a report of another format', '{"version": "2.1.0", "runs": []}', /^bad\.json: does not look like Semgrep JSON: /],
    ['a result without check_id', '{"results": [{"check_id": "a"}, {"check_id": 7}], "errors": []}', /^bad\.json: does not look like Semgrep JSON: /],
  ])('rejects %s with one line naming the file', (_what, input, message) => {
    const run = () => parseAll(input, { source: 'bad.json', format: 'semgrep' });
    expect(run).toThrow(InputError);
    expect(run).toThrow(message);
  });

  it('names the result that has no rule id when parse() is handed one', () => {
    expect(() => parseWith(semgrep, { results: [{ path: 'a.py' }], errors: [] })).toThrow('Semgrep results[0] has no "check_id"; expected the id of the rule that matched.');
  });
});

// Expected counts: python3 over each file, ERROR/WARNING/INFO as high/medium/low, one issue per
// distinct (check_id, path, extra.fingerprint — or the normalised lines/message when it says
// "requires login") at its worst severity.
describeShared('Semgrep conformance over the shared fixtures', () => {
  const none = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  it.each([
    ['close_old_findings_report_line31.json', { ...none, high: 1, total: 1 }],
    ['close_old_findings_report_second_run_line24.json', { ...none, high: 1, total: 1 }],
    ['close_old_findings_report_third_run_different_unique_id.json', { ...none, high: 1, total: 1 }],
    ['empty.json', { ...none, total: 0 }],
    ['one_finding.json', { ...none, medium: 1, total: 1 }],
    ['semgrep_version_1_30_0_line_27.json', { ...none, medium: 5, total: 5 }],
  ])('%s', (file, counts) => {
    const report = parseAll(readShared('scans', 'semgrep', file), { source: file });
    expect(report.format).toBe('semgrep');
    expect(report.errors).toEqual([]);
    expect(countIssues(groupFindings(report.findings))).toEqual(counts);
  });

  it('keeps a finding that moved from line 31 to 24 as the same issue, and a changed fingerprint as another', () => {
    const print = (file: string) => {
      const findings = parseAll(readShared('scans', 'semgrep', file), { source: file }).findings;
      expect(findings).toHaveLength(1);
      return findings[0]?.fingerprint;
    };
    const first = print('close_old_findings_report_line31.json');
    const second = print('close_old_findings_report_second_run_line24.json');
    const third = print('close_old_findings_report_third_run_different_unique_id.json');
    expect(second).toBe(first);
    expect(third).not.toBe(second);
  });
});

describe('Semgrep titles', () => {
  const [xss, bare] = parseAll(testdata('long-messages.json'), { source: 'semgrep.json' }).findings;

  it('titles a finding with its message’s first sentence and keeps the whole message and the rule id', () => {
    expect(xss).toMatchObject({
      title: 'User controlled data in methods like `innerHTML` is a major cause of XSS.',
      description: 'User controlled data in methods like `innerHTML` is a major cause of XSS. v1.2 of the app escapes it! Use textContent instead.',
      ruleId: 'javascript.browser.security.insecure-document-method',
    });
  });

  it('falls back on the rule id when the message is blank', () => {
    expect(bare).toMatchObject({ title: 'generic.no-message', ruleId: 'generic.no-message' });
  });
});
