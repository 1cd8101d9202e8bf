import { InputError } from '../domain/errors.js';
import type { DetailValue, Finding, ParsedReport } from '../domain/finding.js';
import { severityFromLabel } from '../domain/severity.js';
import { misconfigurationFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { arr, isObject, num, obj, str, strings, type JsonObject } from './json.js';
import { type Fields, ReportShape } from './shape.js';

const shape = new ReportShape('Checkov report');

/** The fields of each Checkov object that the parser reads, and their types. */
const FRAMEWORK: Fields = { check_type: 'text', results: 'object', summary: 'object' };
const RESULTS: Fields = { failed_checks: 'objects', skipped_checks: 'list', parsing_errors: 'texts' };
const CHECK: Fields = {
  check_id: 'text', check_name: 'text', file_path: 'text', resource: 'text', severity: 'text', file_line_range: 'list', guideline: 'text',
  bc_check_id: 'text', description: 'text', short_description: 'text', code_block: 'list',
};

/**
 * Checkov JSON (`checkov -o json`): one object per framework (`check_type`: terraform,
 * dockerfile, kubernetes …), or an array of them when several frameworks ran. Only failed checks
 * are issues; skipped ones are counted as suppressed. A run that found nothing to scan writes a
 * bare summary (`passed`, `failed`, `checkov_version` …), which is an empty report.
 */

const SNIPPET_LIMIT = 4000;

function isFramework(doc: unknown): doc is JsonObject {
  return isObject(doc) && typeof doc.check_type === 'string' && isObject(doc.results);
}

function isBareSummary(doc: unknown): doc is JsonObject {
  return isObject(doc) && typeof doc.checkov_version === 'string' && typeof doc.failed === 'number' && typeof doc.passed === 'number';
}

function frameworksOf(doc: unknown): JsonObject[] {
  return Array.isArray(doc) ? doc.filter(isFramework) : isFramework(doc) ? [doc] : [];
}

/** The source lines Checkov quotes, as `[[line, text], …]`, joined and capped. */
function snippetOf(codeBlock: unknown): string | undefined {
  const text = arr(codeBlock).map((entry) => (Array.isArray(entry) && typeof entry[1] === 'string' ? entry[1] : '')).join('');
  if (text.trim() === '') return undefined;
  return text.length > SNIPPET_LIMIT ? `${text.slice(0, SNIPPET_LIMIT)}…` : text;
}

function checkFinding(check: JsonObject, checkType: string, where: string): Finding {
  shape.check(check, where, CHECK);
  const checkId = str(check.check_id);
  if (!checkId) throw new InputError(`Checkov ${where} has no "check_id"; expected the id of the failed check (CKV_…).`);
  const filePath = str(check.file_path);
  const resource = str(check.resource);
  const label = str(check.severity);
  const [start, end] = arr(check.file_line_range).map(num);
  const guideline = str(check.guideline);
  const details: Record<string, DetailValue> = { checkType };
  const bcCheckId = str(check.bc_check_id);
  if (bcCheckId) details.bcCheckId = bcCheckId;
  if (guideline) details.guideline = guideline;
  const finding: Finding = {
    kind: 'misconfiguration',
    fingerprint: misconfigurationFingerprint({ scanner: 'checkov', checkId, filePath, resource }),
    // DESIGN.md: IaC checks without a severity (Checkov without a platform key) are medium.
    severity: severityFromLabel(label ?? 'medium') ?? 'medium',
    scannerSeverity: label,
    title: str(check.check_name) ?? checkId,
    description: str(check.description) ?? str(check.short_description),
    ruleId: checkId,
    occurrence: {
      filePath,
      startLine: start !== undefined && start >= 1 ? start : undefined,
      endLine: end !== undefined && end >= 1 ? end : undefined,
      resource,
      // Checkov's secrets framework quotes the line holding the secret: never keep it.
      snippet: checkType === 'secrets' ? undefined : snippetOf(check.code_block),
      details,
    },
  };
  if (guideline) finding.references = [guideline];
  return finding;
}

function versionOf(doc: unknown): string | undefined {
  if (isBareSummary(doc)) return str(doc.checkov_version);
  return frameworksOf(doc).map((f) => str(obj(f.summary)?.checkov_version)).find((v) => v !== undefined);
}

export const checkov: ReportFormat = {
  name: 'checkov',
  title: 'Checkov JSON',
  producedBy: 'checkov --directory . --output json > checkov.json',

  detect(doc) {
    if (Array.isArray(doc)) return doc.length > 0 && doc.every(isFramework);
    return isFramework(doc) || isBareSummary(doc);
  },

  parse(doc) {
    const frameworks = frameworksOf(doc);
    const at = (f: number) => (Array.isArray(doc) ? `[${f}]` : '');
    let suppressed = 0;
    const errors: string[] = [];
    for (let f = 0; f < frameworks.length; f++) {
      const framework = shape.check(frameworks[f] as JsonObject, at(f), FRAMEWORK);
      const checkType = str(framework.check_type) ?? 'unknown';
      const results = shape.check(obj(framework.results) ?? {}, `${at(f)}${at(f) ? '.' : ''}results`, RESULTS);
      suppressed += arr(results.skipped_checks).length;
      for (const file of strings(results.parsing_errors)) errors.push(`Checkov (${checkType}) could not parse ${file}`);
    }
    const version = versionOf(doc);
    const header = { format: 'checkov', scanner: 'checkov', scanType: 'iac' as const, suppressed, errors, ...(version ? { scannerVersion: version } : {}) };
    return streamedReport(header, function* () {
      for (let f = 0; f < frameworks.length; f++) {
        const framework = frameworks[f] as JsonObject;
        const checkType = str(framework.check_type) ?? 'unknown';
        const failed = shape.objects(obj(framework.results)?.failed_checks, `${at(f)}${at(f) ? '.' : ''}results.failed_checks`);
        for (let i = 0; i < failed.length; i++) {
          const where = `${at(f)}${at(f) ? '.' : ''}results.failed_checks[${i}]`;
          yield checkFinding(failed[i] as JsonObject, checkType, where);
        }
      }
    });
  },
};
