import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.js';
import {
  detectingFormats, issueCounts, otherScannersReports, parseShared, parseTestdata, readTestdata, sharedFiles, testdataFiles, withOneFieldBroken, wrongFormatMessages,
} from '../../test/support/formats.js';
import { describeShared, readShared } from '../../test/support/shared-fixtures.js';
import { codeFingerprint, secretFingerprint } from './fingerprint.js';
import { sarif } from './sarif.js';
import { secretSha256 } from './secret.js';
import { parseAll, parseWith } from '../../test/support/formats-read.js';

const parse = (file: string) => parseTestdata('sarif', file);

describe('sarif: several runs of several tools', () => {
  const report = parse('multi-run.sarif');
  const byMessage = (message: string) => report.findings.filter((f) => f.occurrence.details?.message === message);

  it('names every tool and reads the run header', () => {
    expect(report).toMatchObject({
      format: 'sarif',
      scanner: 'semgrep+codeql',
      scanType: 'sast',
      artifact: 'https://github.com/acme/payments',
      scannedAt: '2025-02-01T12:00:00.000Z',
      // One accepted suppression, one without a status; rejected and underReview ones do not count.
      suppressed: 2,
      errors: [],
    });
    // Two tools, so no one version describes the report.
    expect(report).not.toHaveProperty('scannerVersion');
    // pass, absent and the non-object result make no finding; the two-location result makes two.
    expect(report.findings).toHaveLength(11);
    expect(issueCounts(report)).toEqual({ critical: 1, high: 1, medium: 3, low: 2, info: 1, total: 8 });
  });

  it('scores by security-severity (result before rule) and keeps the level as the label', () => {
    const [first, second] = byMessage('Query built from input');
    const fingerprint = codeFingerprint({ scanner: 'semgrep', ruleId: 'py.sqli', filePath: 'src/app/db.py', stableFingerprint: 'a=1;b=2' });
    expect(first).toEqual({
      kind: 'code',
      fingerprint,
      severity: 'medium',
      scannerSeverity: 'error',
      score: 6.1,
      ruleId: 'py.sqli',
      cwes: ['CWE-89'],
      references: ['https://semgrep.dev/r/py.sqli'],
      tags: ['security', 'external/cwe/cwe-89'],
      title: 'Possible SQL injection',
      description: 'User input reaches a SQL query.',
      // uriBaseId SRC is "src/" under REPO, an absolute file:// base: the path stops at REPO.
      occurrence: { filePath: 'src/app/db.py', startLine: 10, endLine: 11, startColumn: 5, endColumn: 20, snippet: '    cur.execute(q)', details: { message: 'Query built from input' } },
    });
    // Same partialFingerprints in another key order: the same issue, at the result's own 9.5.
    expect(second).toMatchObject({ fingerprint, severity: 'critical', score: 9.5, occurrence: { filePath: 'src/app/db.py', startLine: 20 } });
  });

  it('falls back from the result level to the rule default to warning, and to none for non-failures', () => {
    const level = (message: string) => byMessage(message).map((f) => [f.severity, f.scannerSeverity]);
    expect(level('DEBUG is on')).toEqual([['medium', 'warning']]);
    expect(level('rejected suppression')).toEqual([['low', 'note']]);
    // A ruleIndex that points at another rule is ignored: py.debug's default note applies.
    expect(level('debug twice')).toEqual([['low', 'note'], ['low', 'note']]);
    expect(level('Found TODO in main.')).toEqual([['medium', undefined]]);
    // kind "review" without a level is SARIF's none; an unreadable security-severity is no score.
    expect(level('Check **this**')).toEqual([['info', undefined]]);
    expect(level('Line one\nLine two')).toEqual([['medium', undefined]]);
  });

  it('reads rules, messages and paths every way SARIF allows', () => {
    expect(byMessage('DEBUG is on')[0]).toEqual({
      kind: 'code',
      fingerprint: codeFingerprint({ scanner: 'semgrep', ruleId: 'py.debug', filePath: '/home/ci/work/src/settings prod.py', snippetOrMessage: 'DEBUG is on' }),
      severity: 'medium',
      scannerSeverity: 'warning',
      ruleId: 'py.debug',
      cwes: ['CWE-489'],
      title: 'Debug enabled',
      description: 'Turn debug off.',
      remediation: 'Set DEBUG = False',
      occurrence: { filePath: '/home/ci/work/src/settings prod.py', startLine: 3, details: { message: 'DEBUG is on' } },
    });
    // rule reference by id and index, message template with arguments, path through run.artifacts.
    expect(byMessage('Found TODO in main.')[0]).toMatchObject({ ruleId: 'py.todo', title: 'Found TODO in main.', occurrence: { filePath: 'src/lib/util.py' } });
    // markdown-only message, no location: one occurrence without a place.
    expect(byMessage('Check **this**')[0]).toMatchObject({ title: 'Check **this**', description: 'Check **this**', occurrence: { details: { message: 'Check **this**' } } });
    expect(byMessage('Line one\nLine two')[0]).toMatchObject({ ruleId: 'py.unknown', title: 'Line one', occurrence: { filePath: 'app/y.py' } });
    // Two locations of one result: one issue, fingerprinted from the first.
    const twice = byMessage('debug twice');
    expect(twice.map((f) => f.occurrence.filePath)).toEqual(['a.py', 'b.py']);
    expect(new Set(twice.map((f) => f.fingerprint))).toEqual(
      new Set([codeFingerprint({ scanner: 'semgrep', ruleId: 'py.debug', filePath: 'a.py', snippetOrMessage: 'debug twice' })]),
    );
  });

  it('finds rules in tool extensions and prefers fingerprints over partialFingerprints', () => {
    const codeql = report.findings.filter((f) => f.ruleId === 'py/path-injection');
    const fingerprint = codeFingerprint({ scanner: 'codeql', ruleId: 'py/path-injection', filePath: 'app/files.py', stableFingerprint: '0=fp-1' });
    expect(codeql.map((f) => [f.fingerprint, f.severity, f.title, f.occurrence.filePath, f.occurrence.startLine, f.occurrence.details?.message])).toEqual([
      [fingerprint, 'high', 'Uncontrolled data used in path expression', 'app/files.py', 3, 'Path from user input'],
      // Found by id in the extension; message from the driver's global strings; "./" dropped.
      [fingerprint, 'high', 'Uncontrolled data used in path expression', 'app/files.py', 9, 'See docs.'],
    ]);
    expect(codeql[0]?.cwes).toEqual(['CWE-22', 'CWE-23']);
  });

  it('names the source-tree root a path is relative to: SRCROOT, or the base the repository is mapped to', () => {
    const places = parse('source-root.sarif').findings.map((f) => [f.occurrence.details?.message, f.occurrence.filePath, f.occurrence.baseId]);
    expect(places).toEqual([
      ['under SRCROOT', 'src/db.js', '%SRCROOT%'],
      // An absolute file:// URI under the source root's own URI is made relative to it.
      ['absolute under SRCROOT', 'lib/query builder.js', '%SRCROOT%'],
      // JAVA is "src/main/java/" under %SRCROOT%: the path is put under it, relative to the root.
      ['relative base under SRCROOT', 'src/main/java/com/acme/Shop.java', '%SRCROOT%'],
      // Trivy's ROOTPATH is the image's file system: not the source tree.
      ['inside the image', 'app/payments-api.jar', undefined],
      ['absolute elsewhere', '/usr/lib/node/query.js', undefined],
      // versionControlProvenance maps the repository's root to CHECKOUT.
      ['mapped repository root', 'api/handler.go', 'CHECKOUT'],
      ['SRCROOT without percent signs', 'cmd/main.go', 'SRCROOT'],
      ['no base', 'tools/gen.go', undefined],
    ]);
    // A base that is not the source root says nothing about the tree (multi-run.sarif's REPO).
    expect(parse('multi-run.sarif').findings.some((f) => f.occurrence.baseId !== undefined)).toBe(false);
  });

  it('reads an empty runs list as a valid empty report', () => {
    expect(parse('empty-runs.sarif')).toEqual({ format: 'sarif', scanner: 'sarif', scanType: 'sast', findings: [], suppressed: 0, errors: [] });
  });

  it('rejects runs that are not a list', () => {
    const doc: unknown = JSON.parse(readTestdata('sarif', 'bad-runs.sarif').toString());
    expect(sarif.detect(doc)).toBe(false);
    expect(() => parseWith(sarif, doc)).toThrow(new InputError('Invalid SARIF log: runs is an object; expected a list.'));
    expect(() => parseWith(sarif, '2.1.0')).toThrow(InputError);
  });
});

describe('sarif: secrets', () => {
  it('hashes the secret a secret scanner puts in the snippet and redacts it', () => {
    const report = parse('secrets.sarif');
    expect(report).toMatchObject({ scanner: 'gitleaks', scannerVersion: 'v8.18.2', scanType: 'secret' });
    const fingerprint = secretFingerprint({ ruleId: 'aws-access-token', filePath: 'deploy/.env', secretSha256: secretSha256('AKIAZZZZQQQQ7TEST01') });
    expect(report.findings[0]).toEqual({
      kind: 'secret',
      fingerprint,
      // No level anywhere: a secret is high.
      severity: 'high',
      ruleId: 'aws-access-token',
      title: 'AWS access token',
      occurrence: {
        filePath: 'deploy/.env',
        startLine: 4,
        endLine: 4,
        startColumn: 19,
        endColumn: 38,
        snippet: 'AKIA****',
        secretMasked: 'AKIA****',
        commit: '0a1b2c',
        author: 'Dev',
        email: 'dev@acme.io',
        details: { message: 'aws-access-token has detected secret for file deploy/.env.' },
      },
    });
    // Another commit of the same secret is the same issue: the commit is no part of the identity.
    expect(report.findings[1]).toMatchObject({ fingerprint, occurrence: { startLine: 30, commit: '9f8e7d' } });
    // The secret is unknown: the message stands in for it, and neither it nor a snippet is kept.
    expect(report.findings[2]).toEqual({
      kind: 'secret',
      fingerprint: secretFingerprint({
        ruleId: 'generic-api-key',
        filePath: 'app/config.js',
        secretSha256: secretSha256('generic-api-key has detected secret for file app/config.js.'),
      }),
      severity: 'low',
      scannerSeverity: 'note',
      ruleId: 'generic-api-key',
      title: 'generic-api-key',
      occurrence: { filePath: 'app/config.js', startLine: 2 },
    });
    expect(JSON.stringify(report)).not.toContain('AKIAZZZZQQQQ7TEST01');
  });

  it('treats a rule tagged secret as a secret in any tool, redacting the message too', () => {
    const report = parse('tagged-secret.sarif');
    expect(report.scanType).toBe('sast');
    expect(report.findings).toEqual([
      {
        kind: 'secret',
        fingerprint: secretFingerprint({ ruleId: 'hardcoded-password', filePath: 'src/db.ts', secretSha256: secretSha256('hunter2hunter2') }),
        severity: 'high',
        score: 7.5,
        ruleId: 'hardcoded-password',
        tags: ['Secret'],
        title: 'hardcoded-password',
        occurrence: {
          filePath: 'src/db.ts',
          startLine: 7,
          snippet: "const password = 'hunt****';",
          secretMasked: 'hunt****',
          details: { message: 'Password hunt**** in source' },
        },
      },
      {
        kind: 'code',
        fingerprint: codeFingerprint({ scanner: 'acme-scanner', ruleId: 'weak-hash', filePath: 'src/hash.ts', snippetOrMessage: 'md5(x)' }),
        severity: 'info',
        scannerSeverity: 'none',
        ruleId: 'weak-hash',
        // From the rule's cwe property and the result's CWE taxon.
        cwes: ['CWE-328', 'CWE-916'],
        title: 'md5 used',
        description: 'md5 used',
        occurrence: { filePath: 'src/hash.ts', startLine: 1, snippet: 'md5(x)', details: { message: 'md5 used' } },
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('hunter2hunter2');
  });
});

describe('sarif: any field of the wrong type', () => {
  it.each(['multi-run.sarif', 'secrets.sarif', 'tagged-secret.sarif'])('%s: every variant parses or fails with an InputError, never a TypeError', (file) => {
    const failures: string[] = [];
    for (const { path, doc } of withOneFieldBroken(JSON.parse(readTestdata('sarif', file).toString()))) {
      try {
        parseWith(sarif, doc);
      } catch (error) {
        if (!(error instanceof InputError)) failures.push(`${path}: ${String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('sarif: detection', () => {
  const reports = testdataFiles('sarif').filter((f) => f !== 'bad-runs.sarif');

  it.each(reports)('%s is detected as sarif and by no other format', (file) => {
    expect(detectingFormats(readTestdata('sarif', file))).toEqual(['sarif']);
  });

  it('every other --format gives a one-line error naming the file', () => {
    for (const { title, message } of wrongFormatMessages('sarif', 'multi-run.sarif')) {
      expect(message).toBe(`testdata/sarif/multi-run.sarif: does not look like ${title}: it looks like SARIF 2.1.0; use --format sarif or leave --format out.`);
    }
  });
});

describeShared('sarif: the real reports in shared/fixtures/scans/sarif', () => {
  // Derived with python3 from each file and DESIGN.md's rules, not from this parser: results of
  // kind pass/notApplicable or baselineState absent dropped; a suppression with no status or
  // "accepted" counts as suppressed; rule by ruleIndex else by id (driver, then extensions);
  // severity from security-severity (none in these files) else level (result, rule default,
  // "warning") error/warning/note/none → high/medium/low/info, Gitleaks' level-less secrets high;
  // issues keyed by (tool, ruleId, first location's uri, sorted fingerprints or partialFingerprints
  // else the whitespace-collapsed snippet or message), Gitleaks by (rule named at the start of the
  // message, uri, offender). E.g. semgrep: 1768 results, but 104 repeat a rule's message in the
  // same file without snippet or fingerprint, so 1664 issues; gitleaks: 8 results, 4 distinct.
  const expected: Record<string, { counts: [number, number, number, number, number, number]; suppressed: number; findings: number }> = {
    'appendix_k.sarif': { counts: [0, 0, 0, 0, 0, 0], suppressed: 1, findings: 0 },
    'codeQL-output.sarif': { counts: [0, 11, 4, 57, 0, 72], suppressed: 0, findings: 72 },
    'gitleaks_7.5.0.sarif': { counts: [0, 4, 0, 0, 0, 4], suppressed: 0, findings: 8 },
    'njsscan.sarif': { counts: [0, 1, 1, 0, 0, 2], suppressed: 0, findings: 3 },
    'no_runs.sarif': { counts: [0, 0, 0, 0, 0, 0], suppressed: 0, findings: 0 },
    'semgrepowasp-benchmark-sample.sarif': { counts: [0, 0, 1664, 0, 0, 1664], suppressed: 0, findings: 1768 },
    'snykcode_issue_9270.sarif': { counts: [0, 12, 24, 3, 0, 39], suppressed: 0, findings: 39 },
    'suppression_test.sarif': { counts: [0, 0, 2, 0, 0, 2], suppressed: 3, findings: 2 },
  };

  it('has an expectation for every fixture', () => {
    expect(sharedFiles('sarif')).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s has the expected issues per severity', (file, { counts, suppressed, findings }) => {
    const report = parseShared('sarif', file);
    const [critical, high, medium, low, info, total] = counts;
    expect(report.format).toBe('sarif');
    expect(issueCounts(report)).toEqual({ critical, high, medium, low, info, total });
    expect(report.suppressed).toBe(suppressed);
    expect(report.findings).toHaveLength(findings);
    expect(detectingFormats(readShared('scans', 'sarif', file))).toEqual(['sarif']);
  });

  it('reads concrete fields of real results', () => {
    const codeql = parseShared('sarif', 'codeQL-output.sarif');
    expect(codeql).toMatchObject({ scanner: 'codeql', scannerVersion: '2.5.4' });
    expect(codeql.findings[0]).toMatchObject({
      ruleId: 'py/empty-except',
      title: 'Empty except',
      severity: 'low',
      scannerSeverity: 'note',
      cwes: ['CWE-390'],
      occurrence: { filePath: 'good/db_init.py', startLine: 39, startColumn: 5, endColumn: 30 },
    });
    const snyk = parseShared('sarif', 'snykcode_issue_9270.sarif');
    expect(snyk.findings[0]).toMatchObject({
      ruleId: 'javascript/XSS',
      title: 'Cross-site Scripting (XSS)',
      severity: 'medium',
      cwes: ['CWE-79'],
      occurrence: { filePath: 'frontend/src/app/score-board/score-board.component.ts', startLine: 216, endLine: 216 },
    });
    const suppression = parseShared('sarif', 'suppression_test.sarif');
    expect(suppression.findings.map((f) => [f.ruleId, f.occurrence.filePath])).toEqual([
      ['TST0004', 'C:/code/file4.c'],
      ['TST0005', 'C:/code/file5.c'],
    ]);
    const njsscan = parseShared('sarif', 'njsscan.sarif');
    expect(njsscan.findings.filter((f) => f.ruleId === 'node_password').map((f) => [f.severity, f.occurrence.filePath, f.occurrence.startLine])).toEqual([
      ['high', '/src/index.js', 235],
      ['high', '/src/index.js', 239],
    ]);
  });

  it('keeps no secret of gitleaks_7.5.0.sarif in clear', () => {
    const raw = readShared('scans', 'sarif', 'gitleaks_7.5.0.sarif').toString();
    const doc = JSON.parse(raw) as { runs: { results: { properties: { offender: string } }[] }[] };
    const secrets = [...new Set(doc.runs.flatMap((run) => run.results.map((r) => r.properties.offender)))];
    expect(secrets).toEqual(['AKIAIOSFODNN7EXAMPLE', '-----BEGIN OPENSSH PRIVATE KEY-----']);
    // The snippets quote them too: redaction, not just omission, is what keeps them out.
    for (const secret of secrets) expect(raw.split(secret).length).toBeGreaterThan(2);
    const report = parseShared('sarif', 'gitleaks_7.5.0.sarif');
    const output = JSON.stringify(report);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(report.findings[0]).toMatchObject({
      kind: 'secret',
      ruleId: 'AWS Access Key',
      title: 'AWS Access Key',
      occurrence: { snippet: '      "raw_source_code_extract": "AKIA****",', secretMasked: 'AKIA****', commit: '6d127980966808f7413935678e079dcd7fedf9c2' },
    });
  });

  it('does not take another scanner\'s report for a SARIF log', () => {
    for (const { name, text } of otherScannersReports(['sarif'])) expect([name, sarif.detect(JSON.parse(text.toString()))]).toEqual([name, false]);
  });
});

describe('sarif: CodeQL messages with embedded links', () => {
  const [sqli, unused] = parse('codeql-links.sarif').findings;

  it('titles a result with its rule’s short description, and keeps the rule id beside it', () => {
    expect(sqli).toMatchObject({ title: 'Database query built from user-controlled sources', ruleId: 'js/sql-injection', severity: 'high' });
  });

  it('resolves a link to a related location to its text and place, and drops any other link’s syntax', () => {
    expect(sqli?.occurrence.details?.message).toBe('This query depends on a user-provided value (src/routes.js:12) passed to function create.');
    // Without a rule title, the message's first line is the title: links and escapes resolved too.
    expect(unused).toMatchObject({ title: 'Unused variable tmp in [legacy] code. Remove it.', ruleId: 'js/unused-local-variable' });
  });

  it('fingerprints the message as written, so resolving links never changes an issue', () => {
    expect(unused?.fingerprint).toBe(codeFingerprint({ scanner: 'codeql', ruleId: 'js/unused-local-variable', filePath: 'src/util.js', snippetOrMessage: 'Unused variable [tmp](https://example.com/x) in \\[legacy\\] code. Remove it.' }));
  });
});
