import { stableHex } from '../random.js';
import type { DemoScan } from '../scan.js';
import type { CodeFinding, Level } from '../target.js';

const LEVELS: Record<Level, string> = { high: 'error', medium: 'warning', low: 'note' };

/** CodeQL's SARIF 2.1.0 (`codeql database analyze --format=sarif-latest`): one run, rules with help in markdown. */
export function writeSarif(scan: DemoScan): unknown {
  const repository = scan.target.repository;
  const rules = [...new Map(scan.code.map((f) => [f.rule, f])).values()];
  const artifacts = [...new Set(scan.code.map((f) => f.file))];
  const language = scan.code.some((f) => f.rule.startsWith('py/')) ? 'python' : 'javascript';
  const started = scan.scannedAt;
  const ended = new Date(started.getTime() + scan.random.int(90, 600) * 1000);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'CodeQL',
            organization: 'GitHub',
            semanticVersion: '2.15.5',
            notifications: [],
            rules: rules.map(rule),
          },
          extensions: [{ name: `codeql/${language}-queries`, semanticVersion: language === 'python' ? '0.9.5' : '0.8.5', locations: [] }],
        },
        invocations: [{ toolExecutionNotifications: [], executionSuccessful: true, startTimeUtc: started.toISOString(), endTimeUtc: ended.toISOString() }],
        artifacts: artifacts.map((uri) => ({ location: { uri, uriBaseId: '%SRCROOT%', index: artifacts.indexOf(uri) } })),
        results: scan.code.map((finding) => ({
          ruleId: finding.rule,
          ruleIndex: rules.findIndex((r) => r.rule === finding.rule),
          rule: { id: finding.rule, index: rules.findIndex((r) => r.rule === finding.rule) },
          message: { text: finding.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.file, uriBaseId: '%SRCROOT%', index: artifacts.indexOf(finding.file) },
                region: { startLine: finding.line, startColumn: firstColumn(finding.snippet), endColumn: finding.snippet.length + 1 },
              },
            },
          ],
          // CodeQL hashes the source line, not its number: the same in every scan while the line is unchanged.
          partialFingerprints: { primaryLocationLineHash: `${stableHex(`${finding.file}:${finding.snippet.trim()}`, 16)}:1`, primaryLocationStartColumnFingerprint: String(firstColumn(finding.snippet) - 1) },
        })),
        columnKind: 'utf16CodeUnits',
        properties: { semmle: { formatSpecifier: 'sarif-latest' } },
        automationDetails: { id: `codeql/analyze/language:${language}/` },
        ...(repository ? { versionControlProvenance: [{ repositoryUri: repository.url, revisionId: scan.commit, branch: `refs/heads/${scan.variant}` }] } : {}),
      },
    ],
  };
}

function firstColumn(snippet: string): number {
  return snippet.length - snippet.trimStart().length + 1;
}

function rule(finding: CodeFinding) {
  const cweNumber = finding.cwe.replace('CWE-', '').padStart(3, '0');
  return {
    id: finding.rule,
    name: finding.rule,
    shortDescription: { text: finding.title },
    fullDescription: { text: `${finding.title}: ${finding.cweName}.` },
    defaultConfiguration: { enabled: true, level: LEVELS[finding.level] },
    help: {
      text: `# ${finding.title}\n\n${finding.cweName}.`,
      markdown: `# ${finding.title}\n\n${finding.cweName} (${finding.cwe}).\n\n## Recommendation\n\nValidate or encode untrusted data before it reaches this call.\n\n## References\n* Common Weakness Enumeration: [${finding.cwe}](https://cwe.mitre.org/data/definitions/${finding.cwe.replace('CWE-', '')}.html).\n`,
    },
    properties: {
      tags: ['security', `external/cwe/cwe-${cweNumber}`],
      description: finding.title,
      id: finding.rule,
      kind: 'path-problem',
      name: finding.title,
      precision: 'high',
      'problem.severity': LEVELS[finding.level],
      ...(finding.securitySeverity !== undefined ? { 'security-severity': finding.securitySeverity.toFixed(1) } : {}),
    },
  };
}
