import { InputError } from '../domain/errors.js';
import type { DetailValue, Finding, ParsedReport } from '../domain/finding.js';
import { severityFromLabel, type Severity } from '../domain/severity.js';
import { firstSentence } from './finding-fields.js';
import { codeFingerprint, normaliseText } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { isObject, num, obj, str, strings, type JsonObject } from './json.js';
import { type Fields, ReportShape } from './shape.js';

const shape = new ReportShape('Semgrep report');

/** The fields of each Semgrep object that the parser reads, and their types. */
const DOCUMENT: Fields = { results: 'objects', errors: 'objects', version: 'text' };
const RESULT: Fields = { check_id: 'text', path: 'text', start: 'object', end: 'object', extra: 'object' };
const POSITION: Fields = { line: 'number', col: 'number' };
const EXTRA: Fields = { message: 'text', lines: 'text', severity: 'text', fix: 'text', fingerprint: 'text', metadata: 'object', is_ignored: 'boolean' };
const METADATA: Fields = {
  cwe: 'texts', owasp: 'texts', category: 'texts', references: 'texts', 'source-rule-url': 'texts', source: 'texts', confidence: 'text', likelihood: 'text', impact: 'text',
};
const ERROR: Fields = { level: 'text', path: 'text', message: 'text' };

/**
 * Semgrep JSON (`semgrep scan --json`): `results[]` with `check_id`, `path`, `start`/`end` and an
 * `extra` block, and `errors[]` about the run itself, which go on the scan, not into issues.
 */

/** Semgrep's own labels (DESIGN.md: Severity); newer rules may use the common ones. */
const LABELS = new Map<string, Severity>([['ERROR', 'high'], ['WARNING', 'medium'], ['INFO', 'low']]);

function severityOf(label: string | undefined): Severity {
  if (label === undefined) return 'info';
  return LABELS.get(label.toUpperCase()) ?? severityFromLabel(label) ?? 'info';
}

/**
 * Semgrep without a login writes the text "requires login" in place of `fingerprint` and
 * `lines`; such a value identifies nothing.
 */
function usable(value: unknown): string | undefined {
  // Not str(): a snippet keeps its indentation.
  if (typeof value !== 'string' || value.trim() === '' || /requires login/i.test(value)) return undefined;
  return value;
}

const CWE = /CWE-\d+/i;

/** `CWE-79` ids from `metadata.cwe`, a string ("CWE-79: Improper …") or a list of them. */
function cwesOf(value: unknown): string[] {
  const ids = strings(value).map((text) => CWE.exec(text)?.[0]?.toUpperCase());
  return [...new Set(ids.filter((id): id is string => id !== undefined))];
}

function position(value: unknown): { line?: number; col?: number } {
  const p = obj(value);
  const line = num(p?.line);
  const col = num(p?.col);
  return { line: line !== undefined && line >= 1 ? line : undefined, col: col !== undefined && col >= 1 ? col : undefined };
}

function resultFinding(result: JsonObject, index: number): Finding {
  const path = `results[${index}]`;
  const ruleId = str(result.check_id);
  if (!ruleId) throw new InputError(`Semgrep results[${index}] has no "check_id"; expected the id of the rule that matched.`);
  const extra = obj(result.extra) ?? {};
  const metadata = shape.optionalObject(extra.metadata, `${path}.extra.metadata`, METADATA) ?? {};
  const filePath = str(result.path);
  const message = str(extra.message);
  const lines = usable(extra.lines);
  const label = str(extra.severity);
  const fix = str(extra.fix);
  const start = position(shape.optionalObject(result.start, `${path}.start`, POSITION));
  const end = position(shape.optionalObject(result.end, `${path}.end`, POSITION));

  const finding: Finding = {
    kind: 'code',
    fingerprint: codeFingerprint({
      scanner: 'semgrep',
      ruleId,
      filePath,
      stableFingerprint: usable(extra.fingerprint),
      snippetOrMessage: lines ?? message,
    }),
    severity: severityOf(label),
    scannerSeverity: label,
    // The rule's own words; the rule id stays beside it as `ruleId`.
    title: firstSentence(message) ?? ruleId,
    description: message,
    remediation: fix === undefined ? undefined : `Suggested fix: ${fix}`,
    ruleId,
    occurrence: {
      filePath,
      startLine: start.line,
      endLine: end.line,
      startColumn: start.col,
      endColumn: end.col,
      snippet: lines,
    },
  };
  const cwes = cwesOf(metadata.cwe);
  if (cwes.length > 0) finding.cwes = cwes;
  const references = [...new Set([...strings(metadata.references), ...strings(metadata['source-rule-url']), ...strings(metadata.source)])];
  if (references.length > 0) finding.references = references;
  const tags = [...new Set([...strings(metadata.owasp), ...strings(metadata.category)])];
  if (tags.length > 0) finding.tags = tags;
  const details: Record<string, DetailValue> = {};
  for (const key of ['confidence', 'likelihood', 'impact'] as const) {
    const value = str(metadata[key]);
    if (value !== undefined) details[key] = value;
  }
  if (Object.keys(details).length > 0) finding.occurrence.details = details;
  return finding;
}

/** One readable line per error Semgrep reported about its run. */
function errorLine(error: JsonObject): string {
  const type = Array.isArray(error.type) ? str(error.type[0]) : str(error.type);
  const level = str(error.level);
  const path = str(error.path);
  const message = normaliseText(str(error.message) ?? 'no message');
  return `${level ? `${level}: ` : ''}${type ?? 'error'}${path ? ` in ${path}` : ''}: ${message}`;
}

export const semgrep: ReportFormat = {
  name: 'semgrep',
  title: 'Semgrep JSON',
  producedBy: 'semgrep scan --config auto --json --output semgrep.json',

  detect(doc) {
    if (!isObject(doc) || !Array.isArray(doc.results) || !Array.isArray(doc.errors)) return false;
    return doc.results.every((r) => isObject(r) && typeof r.check_id === 'string');
  },

  parse(doc) {
    const input = shape.object(doc, '', DOCUMENT);
    const results = shape.objects(input.results, 'results');
    const version = str(input.version);
    const errors = shape.objects(input.errors, 'errors').map((e, i) => errorLine(shape.check(e, `errors[${i}]`, ERROR)));
    const header = { format: 'semgrep', scanner: 'semgrep', scanType: 'sast' as const, suppressed: 0, errors, ...(version ? { scannerVersion: version } : {}) };
    return streamedReport(header, function* (parsed) {
      for (let i = 0; i < results.length; i++) {
        const result = shape.check(results[i] as JsonObject, `results[${i}]`, RESULT);
        if (shape.optionalObject(result.extra, `results[${i}].extra`, EXTRA)?.is_ignored === true) parsed.suppressed++;
        else yield resultFinding(result, i);
      }
    });
  },
};
