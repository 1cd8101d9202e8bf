import { InputError } from '../domain/errors.js';
import type { DetailValue, Finding, IssueKind, Occurrence, ParsedReport, ScanType } from '../domain/finding.js';
import { severityFromScore } from '../domain/severity.js';
import { canonicalVulnerabilityId, keyedFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { isObject, num, obj, objects, str, strings, type JsonObject } from './json.js';
import { type Fields, ReportShape } from './shape.js';

/**
 * The generic JSON format, compatible with the custom ingestion format Harness STO documents
 * ("Ingest results from unsupported scanners"), so converters written for STO work unchanged:
 *
 *   { "meta": { "key": ["issueName", …], "subproduct": "tool" },
 *     "issues": [ { "issueName", "issueDescription", "subProduct", "severity", … } ] }
 *
 * `meta.key` names the fields whose values identify an issue; `severity` is a CVSS-style number.
 * Any field whose name starts with `_raw` is kept as a raw detail. STO's own examples spell the
 * per-issue field `subproduct`, its field table `subProduct`: both are read.
 */

const shape = new ReportShape('generic report');

/** The fields of each object of the format that the parser reads, and their types. */
const DOCUMENT: Fields = { meta: 'object', issues: 'list' };
const META: Fields = { key: 'texts', subproduct: 'text', subProduct: 'text' };
const ISSUE: Fields = {
  scanSeverity: 'text', risk: 'text', remediationSteps: 'text', libraryName: 'text', currentVersion: 'text', license: 'text', fileName: 'text',
  lineNumber: 'text', url: 'text', host: 'text', port: 'number', imageLayerId: 'text', issueType: 'text', link: 'texts', tags: 'texts',
  referenceIdentifiers: 'objects',
};
const REFERENCE: Fields = { type: 'text', id: 'text' };

const RAW_PREFIX = '_raw';
/** Caps for a non-scalar `_raw` value, which is shown as JSON text. */
const RAW_DEPTH = 4;
const RAW_ITEMS = 50;
const RAW_CHARS = 2000;

const SCAN_TYPES: Record<IssueKind, ScanType> = {
  vulnerability: 'sca',
  code: 'sast',
  dast: 'dast',
  misconfiguration: 'iac',
  secret: 'secret',
  license: 'license',
};

/** STO's `issueType` values, for issues that name no file, host or library. */
const ISSUE_TYPES = new Map<string, IssueKind>([
  ['sast', 'code'],
  ['sca', 'vulnerability'],
  ['dast', 'dast'],
  ['iac', 'misconfiguration'],
  ['misconfig', 'misconfiguration'],
  ['secret', 'secret'],
  ['license', 'license'],
]);

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Why a required field is unusable: absent (or blank), or of the wrong type. */
function unusable(index: number, field: string, value: unknown, expected: string): InputError {
  const absent = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  const problem = absent ? `is missing the required field "${field}"` : `has "${field}" of the wrong type (${jsonType(value)})`;
  return new InputError(`Generic report issues[${index}] ${problem}; expected ${expected}. Nothing was ingested.`);
}

/** A required text field: a non-blank string (a number is read as text). */
function requiredText(issue: JsonObject, field: string, index: number, expected: string, value: unknown = issue[field]): string {
  const text = str(value);
  if (text === undefined) throw unusable(index, field, value, expected);
  return text;
}

/** A `_raw` value as a detail: scalars verbatim, anything else as capped JSON text. */
function rawDetail(value: unknown): DetailValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  const text = JSON.stringify(bounded(value, RAW_DEPTH));
  return text.length > RAW_CHARS ? `${text.slice(0, RAW_CHARS)}…` : text;
}

/** A copy of a JSON value cut at `depth` levels and RAW_ITEMS entries per level. */
function bounded(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth === 0) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, RAW_ITEMS).map((v) => bounded(v, depth - 1));
    return value.length > RAW_ITEMS ? [...items, '…'] : items;
  }
  const entries = Object.entries(value);
  const kept = entries.slice(0, RAW_ITEMS).map(([k, v]) => [k, bounded(v, depth - 1)]);
  if (entries.length > RAW_ITEMS) kept.push(['…', `${entries.length - RAW_ITEMS} more`]);
  return Object.fromEntries(kept);
}

/** The value of one `meta.key` field, as a fingerprint part. */
function keyPart(value: unknown): string | number | undefined {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(bounded(value, RAW_DEPTH));
}

interface References {
  cves: string[];
  otherIds: string[];
  cwes: string[];
  urls: string[];
  tags: string[];
}

/**
 * `referenceIdentifiers`: `[{type: "cve", id: "2021-44228" | "CVE-2021-44228"}, {type: "cwe",
 * id: "79"}, …]`. STO's own converters strip the `CVE-`/`CWE-` prefix, so it is put back.
 */
function referencesOf(value: unknown, path: string): References {
  const refs: References = { cves: [], otherIds: [], cwes: [], urls: [], tags: [] };
  const list = objects(value);
  for (let i = 0; i < list.length; i++) {
    const ref = shape.check(list[i] as JsonObject, `${path}[${i}]`, REFERENCE);
    const type = str(ref.type)?.toLowerCase();
    const id = str(ref.id);
    if (!type || !id) continue;
    if (type === 'cve') refs.cves.push(/^cve-/i.test(id) ? id.toUpperCase() : `CVE-${id}`);
    else if (type === 'cwe') refs.cwes.push(/^cwe-/i.test(id) ? id.toUpperCase() : `CWE-${id}`);
    else if (/^https?:\/\//i.test(id)) refs.urls.push(id);
    else if (['ghsa', 'osv', 'snyk', 'vulnerability'].includes(type)) refs.otherIds.push(id);
    else refs.tags.push(`${type}:${id}`);
  }
  return refs;
}

function kindOf(issue: JsonObject, refs: References): IssueKind {
  if (refs.cves.length > 0 || str(issue.libraryName)) return 'vulnerability';
  if (str(issue.host) || str(issue.url)) return 'dast';
  if (str(issue.fileName)) return 'code';
  return ISSUE_TYPES.get(str(issue.issueType)?.toLowerCase() ?? '') ?? 'code';
}

/** `lineNumber` is a string in STO's schema: "12" or a range "12-15". */
function linesOf(value: unknown): Pick<Occurrence, 'startLine' | 'endLine'> {
  const match = /^\s*(\d+)\s*(?:-\s*(\d+))?\s*$/.exec(typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '');
  const start = match?.[1] === undefined ? undefined : Number(match[1]);
  if (start === undefined || start < 1) return {};
  return { startLine: start, endLine: match?.[2] === undefined ? start : Number(match[2]) };
}

function issueFinding(issue: JsonObject, index: number, scanner: string, key: readonly string[]): Finding {
  const title = requiredText(issue, 'issueName', index, 'the name of the issue');
  const description = requiredText(issue, 'issueDescription', index, 'a description of the issue');
  const subProduct = requiredText(issue, 'subProduct', index, 'the name of the tool that found the issue', issue.subProduct ?? issue.subproduct);
  const score = num(issue.severity);
  const severity = score === undefined ? undefined : severityFromScore(score);
  if (score === undefined || severity === undefined) {
    if (typeof issue.severity === 'number' || num(issue.severity) !== undefined) {
      throw new InputError(`Generic report issues[${index}] has severity ${JSON.stringify(issue.severity)}; expected a CVSS-style number from 0 to 10. Nothing was ingested.`);
    }
    throw unusable(index, 'severity', issue.severity, 'a CVSS-style number from 0 to 10');
  }

  shape.check(issue, `issues[${index}]`, ISSUE);
  const refs = referencesOf(issue.referenceIdentifiers, `issues[${index}].referenceIdentifiers`);
  const { id: vulnerabilityId, aliases } = canonicalVulnerabilityId([...refs.cves, ...refs.otherIds]);
  const kind = kindOf(issue, refs);
  const details: Record<string, DetailValue> = {};
  const issueType = str(issue.issueType);
  if (issueType) details.issueType = issueType;
  for (const [field, value] of Object.entries(issue)) if (field.startsWith(RAW_PREFIX)) details[field] = rawDetail(value);
  if (subProduct.toLowerCase() !== scanner) details.subProduct = subProduct;
  const port = num(issue.port);

  const finding: Finding = {
    kind,
    fingerprint: keyedFingerprint(scanner, key.map((field) => keyPart(field.toLowerCase() === 'subproduct' ? subProduct : issue[field]))),
    severity,
    scannerSeverity: str(issue.scanSeverity) ?? str(issue.risk),
    score,
    title,
    description,
    remediation: str(issue.remediationSteps),
    vulnerabilityId,
    package: str(issue.libraryName),
    installedVersion: str(issue.currentVersion),
    license: str(issue.license),
    occurrence: {
      filePath: str(issue.fileName),
      ...linesOf(issue.lineNumber),
      url: str(issue.url),
      host: str(issue.host),
      port: port !== undefined && Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined,
      layer: str(issue.imageLayerId),
    },
  };
  if (aliases.length > 0) finding.aliases = aliases;
  if (refs.cwes.length > 0) finding.cwes = [...new Set(refs.cwes)];
  const references = [...new Set([...strings(issue.link), ...refs.urls])];
  if (references.length > 0) finding.references = references;
  const tags = [...new Set([...strings(issue.tags), ...refs.tags])];
  if (tags.length > 0) finding.tags = tags;
  if (Object.keys(details).length > 0) finding.occurrence.details = details;
  return finding;
}

/** The scan type of the kind most issues have (the first such kind on a tie); SAST for none. */
/** The scan type of the most common kind of finding. */
function scanTypeOf(counts: ReadonlyMap<IssueKind, number>): ScanType {
  let best: IssueKind = 'code';
  let most = 0;
  for (const [kind, count] of counts) {
    if (count > most) [best, most] = [kind, count];
  }
  return SCAN_TYPES[best];
}

export const generic: ReportFormat = {
  name: 'generic',
  title: 'Generic JSON (Harness STO custom ingestion format)',
  producedBy: 'any converter that writes the Harness STO custom ingestion JSON ({"meta": {"key": [...], "subproduct": "tool"}, "issues": [...]}), e.g. jq -f to-sto.jq scanner-output.json > generic.json',

  detect(doc) {
    return isObject(doc) && isObject(doc.meta) && Array.isArray(doc.issues);
  },

  parse(doc) {
    const input = shape.object(doc, '', DOCUMENT);
    const meta = shape.optionalObject(input.meta, 'meta', META) ?? {};
    const scannerName = str(meta.subproduct) ?? str(meta.subProduct);
    if (!scannerName) throw new InputError('Generic report has no "meta.subproduct"; expected the name of the scanning tool. Nothing was ingested.');
    const key = strings(meta.key);
    if (key.length === 0) {
      throw new InputError(`Generic report has meta.key ${JSON.stringify(meta.key ?? null)}; expected a list of the issue fields that identify an issue, such as ["issueName"]. Nothing was ingested.`);
    }
    const scanner = scannerName.toLowerCase();
    const issues = input.issues === undefined || input.issues === null ? [] : shape.list(input.issues, 'issues');
    return streamedReport({ format: 'generic', scanner, scanType: 'sast', suppressed: 0, errors: [] }, function* (parsed) {
      const kinds = new Map<IssueKind, number>();
      for (let i = 0; i < issues.length; i++) {
        const issue = issues[i];
        if (!isObject(issue)) throw new InputError(`Generic report issues[${i}] is ${jsonType(issue)}; expected an object. Nothing was ingested.`);
        const finding = issueFinding(issue, i, scanner, key);
        kinds.set(finding.kind, (kinds.get(finding.kind) ?? 0) + 1);
        yield finding;
      }
      parsed.scanType = scanTypeOf(kinds);
    });
  },
};
