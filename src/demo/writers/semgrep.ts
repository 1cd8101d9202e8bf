import { stableHex } from '../random.js';
import type { DemoScan } from '../scan.js';
import type { CodeFinding, Level } from '../target.js';

const SEVERITIES: Record<Level, string> = { high: 'ERROR', medium: 'WARNING', low: 'INFO' };

/**
 * `semgrep scan --config auto --json`. A logged-in run (Semgrep AppSec Platform) writes each
 * result's fingerprint and source lines; a run without login writes "requires login" in their place.
 */
export function writeSemgrep(scan: DemoScan): unknown {
  const repository = scan.target.repository;
  const loggedIn = repository?.semgrepLoggedIn === true;
  const language = scan.code[0]?.file.endsWith('.go') ? 'go' : 'java';
  return {
    version: '1.52.0',
    results: scan.code.map((finding) => result(finding, loggedIn, language)),
    errors: (repository?.semgrepErrors ?? []).map(({ path, message }) => ({ code: 3, level: 'warn', type: 'Syntax error', message, path })),
    paths: { scanned: [...new Set(scan.code.map((f) => f.file))].sort() },
    interfile_languages_used: [],
    skipped_rules: [],
  };
}

function result(finding: CodeFinding, loggedIn: boolean, language: string) {
  const column = finding.snippet.length - finding.snippet.trimStart().length + 1;
  const offset = finding.line * 42 + column;
  return {
    check_id: finding.rule,
    path: finding.file,
    start: { line: finding.line, col: column, offset },
    end: { line: finding.line, col: finding.snippet.length + 1, offset: offset + finding.snippet.trim().length },
    extra: {
      message: finding.message,
      metadata: {
        category: 'security',
        confidence: finding.level === 'high' ? 'HIGH' : 'MEDIUM',
        cwe: [`${finding.cwe}: ${finding.cweName}`],
        impact: finding.level === 'low' ? 'LOW' : finding.level === 'high' ? 'HIGH' : 'MEDIUM',
        likelihood: 'MEDIUM',
        ...(finding.owasp ? { owasp: [finding.owasp] } : {}),
        references: [`https://cwe.mitre.org/data/definitions/${finding.cwe.replace('CWE-', '')}.html`],
        source: `https://semgrep.dev/r/${finding.rule}`,
        shortlink: `https://sg.run/${stableHex(finding.rule, 4)}`,
        subcategory: ['audit'],
        technology: [language],
        vulnerability_class: [finding.title],
        license: 'Semgrep Rules License v1.0. For more details, visit semgrep.dev/legal/rules-license',
      },
      severity: SEVERITIES[finding.level],
      // The platform's fingerprint follows the code, not its line: the same in every scan.
      fingerprint: loggedIn ? `${stableHex(`${finding.rule}:${finding.file}:${finding.snippet.trim()}`, 64)}_0` : 'requires login',
      lines: loggedIn ? finding.snippet : 'requires login',
      ...(finding.fix ? { fix: finding.fix } : {}),
      is_ignored: false,
      validation_state: 'NO_VALIDATOR',
      engine_kind: 'OSS',
    },
  };
}
