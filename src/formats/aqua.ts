import { InputError } from '../domain/errors.js';
import type { Finding, ParsedReport } from '../domain/finding.js';
import { severityFromLabel, severityFromScore, type Severity } from '../domain/severity.js';
import { scalarDetails } from './finding-fields.js';
import { canonicalVulnerabilityId, secretFingerprint, vulnerabilityFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { isObject, num, obj, str, strings, type JsonObject } from './json.js';
import { maskSecret, redactFinding, secretSha256 } from './secret.js';
import { type Fields, ReportShape } from './shape.js';

/**
 * Aqua image scans, in the shapes Aqua writes:
 * - the scanner CLI report (`image`, `resources[]` with `nvd_*`, `vendor_*` and `aqua_*`
 *   severities and scores); a resource's `sensitive_items` (private keys and other secrets found
 *   in that file of the image) become secret findings, high, masked like every secret;
 * - the Azure DevOps extension's output: a JSON array of CLI reports, each bare or under `results`;
 * - the API report of an image (`image_name`, `cves[]` with string scores);
 * - the API v2 vulnerability listing (`count`, `page`, `pagesize`, `result[]`, each item naming
 *   its CVE, its `resource` package and its `image_name`).
 * Aqua writes `{}` for an image with nothing found.
 */

type Source = { label: string; score: string };

const shape = new ReportShape('Aqua report');

/** The fields of each Aqua object that the parser reads, and their types. */
const DOCUMENT: Fields = { image: 'text', image_name: 'text', resources: 'objects', cves: 'objects', scan_started: 'object', errorMsg: 'texts' };
const RESOURCE_ENTRY: Fields = { resource: 'object', vulnerabilities: 'objects' };
const RESOURCE: Fields = { name: 'text', version: 'text', format: 'text', path: 'text', layer_digest: 'text', sensitive_items: 'texts' };
const WRAPPER: Fields = { results: 'object' };
const LISTING: Fields = { count: 'number', page: 'number', pagesize: 'number', result: 'objects' };
const LISTED: Fields = { resource: 'object', image_name: 'text', registry: 'text', image_digest: 'text' };
const VULNERABILITY: Fields = {
  name: 'text', description: 'text', solution: 'text', fix_version: 'text', file: 'text', nvd_url: 'texts', vendor_url: 'texts', url: 'texts',
  aqua_severity: 'text', aqua_score: 'number', severity: 'text', score: 'number', vendor_severity_v3: 'text', vendor_score_v3: 'number',
  vendor_severity: 'text', vendor_score: 'number', nvd_severity_v3: 'text', nvd_score_v3: 'number', nvd_severity: 'text', nvd_score: 'number',
};

/**
 * Where a vulnerability's severity comes from, in order: Aqua's own, then the vendor's, then the
 * NVD's, each preferring its CVSS v3 rating to its v2 one. The v2 report's `severity`/`score` are
 * Aqua's own.
 */
const SOURCES: readonly Source[] = [
  { label: 'aqua_severity', score: 'aqua_score' },
  { label: 'severity', score: 'score' },
  { label: 'vendor_severity_v3', score: 'vendor_score_v3' },
  { label: 'vendor_severity', score: 'vendor_score' },
  { label: 'nvd_severity_v3', score: 'nvd_score_v3' },
  { label: 'nvd_severity', score: 'nvd_score' },
];

interface Rated {
  severity: Severity;
  scannerSeverity?: string;
  score?: number;
}

/** The first source with a label this table knows; else the first score; else info. */
function rate(vulnerability: JsonObject): Rated {
  for (const source of SOURCES) {
    const label = str(vulnerability[source.label]);
    const severity = severityFromLabel(label);
    if (label && severity) return { severity, scannerSeverity: label, score: num(vulnerability[source.score]) };
  }
  for (const source of SOURCES) {
    const score = num(vulnerability[source.score]);
    const severity = score === undefined ? undefined : severityFromScore(score);
    if (score !== undefined && severity) return { severity, score };
  }
  return { severity: 'info' };
}

function isCliReport(doc: JsonObject): boolean {
  return Array.isArray(doc.resources) && (typeof doc.image === 'string' || isObject(doc.scan_started));
}

function isApiReport(doc: JsonObject): boolean {
  return Array.isArray(doc.cves) && (typeof doc.image_name === 'string' || isObject(doc.cves_counts));
}

/** An API v2 listing whose first item is an Aqua vulnerability: a CVE name and a resource. */
function isListing(doc: JsonObject): boolean {
  if (!Array.isArray(doc.result) || !('pagesize' in doc || 'count' in doc)) return false;
  const first: unknown = doc.result[0];
  return isObject(first) && typeof first.name === 'string' && isObject(first.resource);
}

/** The CLI report of one element of the Azure DevOps array: under `results`, or the element itself. */
function wrappedReport(element: unknown): JsonObject | undefined {
  if (!isObject(element)) return undefined;
  if (isObject(element.results) && Array.isArray(element.results.resources)) return element.results;
  return isCliReport(element) ? element : undefined;
}

function isAzureDevOpsArray(doc: unknown): doc is unknown[] {
  return Array.isArray(doc) && doc.length > 0 && doc.every((element) => wrappedReport(element) !== undefined);
}

function vulnerabilityFinding(v: JsonObject, where: string, place: {
  package?: string;
  installedVersion?: string;
  ecosystem?: string;
  component?: string;
  filePath?: string;
}): Finding {
  shape.check(v, where, VULNERABILITY);
  const name = str(v.name);
  if (!name) throw new InputError(`Aqua ${where} has no "name"; expected the vulnerability id (a CVE or vendor id).`);
  const vulnerabilityId = canonicalVulnerabilityId([name]).id ?? name;
  const references = [...new Set([...strings(v.nvd_url), ...strings(v.vendor_url), ...strings(v.url)])];
  const finding: Finding = {
    kind: 'vulnerability',
    fingerprint: vulnerabilityFingerprint({ vulnerabilityId, package: place.package, installedVersion: place.installedVersion }),
    ...rate(v),
    title: place.package ? `${vulnerabilityId} in ${place.package}` : vulnerabilityId,
    description: str(v.description),
    remediation: str(v.solution),
    vulnerabilityId,
    package: place.package,
    installedVersion: place.installedVersion,
    fixedVersion: str(v.fix_version),
    ecosystem: place.ecosystem,
    occurrence: {},
  };
  if (references.length > 0) finding.references = references;
  if (place.component) finding.occurrence.component = place.component;
  if (place.filePath) finding.occurrence.filePath = place.filePath;
  return finding;
}

/** `prefix` places the report in the Azure DevOps array (`[0].results.`), empty for a bare report. */
function* cliFindings(doc: JsonObject, prefix: string): Generator<Finding> {
  const resources = shape.objects(doc.resources, `${prefix}resources`);
  for (let r = 0; r < resources.length; r++) {
    const at = `${prefix}resources[${r}]`;
    const entry = shape.check(resources[r] as JsonObject, at, RESOURCE_ENTRY);
    const resource = shape.optionalObject(entry.resource, `${at}.resource`, RESOURCE) ?? {};
    const vulnerabilities = shape.objects(entry.vulnerabilities, `${at}.vulnerabilities`);
    for (let i = 0; i < vulnerabilities.length; i++) {
      yield vulnerabilityFinding(vulnerabilities[i] as JsonObject, `${at}.vulnerabilities[${i}]`, {
        package: str(resource.name),
        installedVersion: str(resource.version),
        ecosystem: str(resource.format),
        filePath: str(resource.path),
      });
    }
    for (const item of strings(resource.sensitive_items)) yield sensitiveFinding(item, resource);
  }
}

const SENSITIVE_RULE = 'aqua-sensitive-data';

/**
 * One secret Aqua found in a file of the image. Aqua gives no severity: a secret is high (DESIGN.md).
 * The item is taken for the secret itself: only its masked form and its hash are kept.
 */
function sensitiveFinding(secret: string, resource: JsonObject): Finding {
  const filePath = str(resource.path) ?? str(resource.name);
  const finding: Finding = {
    kind: 'secret',
    fingerprint: secretFingerprint({ ruleId: SENSITIVE_RULE, filePath, secretSha256: secretSha256(secret) }),
    severity: 'high',
    title: filePath ? `Sensitive data in ${filePath}` : 'Sensitive data in the image',
    ruleId: SENSITIVE_RULE,
    occurrence: { secretMasked: maskSecret(secret) },
  };
  if (filePath) finding.occurrence.filePath = filePath;
  const layer = str(resource.layer_digest);
  if (layer) finding.occurrence.layer = layer;
  return redactFinding(finding, secret);
}

/**
 * The v2 report names no package, only the `file` the vulnerability was found in (a library path
 * or a package name): it stands in for the package, so one CVE in two files stays two issues.
 */
function* apiFindings(doc: JsonObject): Generator<Finding> {
  const cves = shape.objects(doc.cves, 'cves');
  for (let i = 0; i < cves.length; i++) {
    const v = shape.check(cves[i] as JsonObject, `cves[${i}]`, VULNERABILITY);
    const file = str(v.file);
    yield vulnerabilityFinding(v, `cves[${i}]`, { package: file, component: file });
  }
}

/** One page of the v2 vulnerability listing: each item names its package and the image it is in. */
function* listingFindings(items: readonly JsonObject[]): Generator<Finding> {
  for (let i = 0; i < items.length; i++) {
    const item = shape.check(items[i] as JsonObject, `result[${i}]`, LISTED);
    const resource = shape.optionalObject(item.resource, `result[${i}].resource`, RESOURCE) ?? {};
    const finding = vulnerabilityFinding(item, `result[${i}]`, {
      package: str(resource.name) ?? str(resource.path),
      installedVersion: str(resource.version),
      ecosystem: str(resource.format),
      filePath: str(resource.path),
    });
    Object.assign(finding.occurrence, scalarDetails({ image: str(item.image_name), registry: str(item.registry), imageDigest: str(item.image_digest) }));
    yield finding;
  }
}

function scanStart(value: unknown): string | undefined {
  const start = obj(value);
  const seconds = num(start?.seconds);
  if (seconds === undefined) return undefined;
  const date = new Date(seconds * 1000 + Math.floor((num(start?.nanos) ?? 0) / 1e6));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export const aqua: ReportFormat = {
  name: 'aqua',
  title: 'Aqua JSON',
  producedBy: 'scannercli scan -H AQUA_SERVER --token TOKEN --local IMAGE --jsonfile aqua.json (or the Azure DevOps extension\'s JSON, an image\'s scan result or a page of GET /api/v2/risks/vulnerabilities from the Aqua API)',

  detect(doc) {
    return isAzureDevOpsArray(doc) || (isObject(doc) && (isCliReport(doc) || isApiReport(doc) || isListing(doc)));
  },

  acceptsEmpty(doc) {
    if (!isObject(doc)) return false;
    return Object.keys(doc).length === 0 || (Array.isArray(doc.result) && doc.result.length === 0 && ('pagesize' in doc || 'count' in doc));
  },

  parse(doc) {
    if (Array.isArray(doc)) return parseAzureDevOps(doc);
    const report = shape.object(doc, '', DOCUMENT);
    if (!isCliReport(report) && !isApiReport(report) && 'result' in report) return parseListing(report);
    const cli = isCliReport(report);
    const artifact = str(cli ? report.image : report.image_name);
    const scannedAt = scanStart(report.scan_started);
    const header = {
      ...HEADER,
      errors: strings(report.errorMsg),
      ...(artifact ? { artifact } : {}),
      ...(scannedAt ? { scannedAt } : {}),
    };
    return streamedReport(header, () => (cli ? cliFindings(report, '') : apiFindings(report)));
  },
};

const HEADER = { format: 'aqua', scanner: 'aqua', scanType: 'container' as const, suppressed: 0 };

/** The Azure DevOps extension's array: one CLI report per element, read in turn as one scan. */
function parseAzureDevOps(doc: unknown[]): ParsedReport {
  const reports = doc.map((element, i) => {
    const wrapper = shape.object(element, `[${i}]`, WRAPPER);
    const wrapped = isObject(wrapper.results);
    const prefix = wrapped ? `[${i}].results.` : `[${i}].`;
    const report = wrapped ? shape.object(wrapper.results, `[${i}].results`, DOCUMENT) : shape.check(wrapper, `[${i}]`, DOCUMENT);
    return { report, prefix, image: str(report.image) ?? str(wrapper.image) };
  });
  const images = [...new Set(reports.map((r) => r.image).filter((image): image is string => image !== undefined))];
  const starts = reports.map((r) => scanStart(r.report.scan_started)).filter((start): start is string => start !== undefined).sort();
  const header = {
    ...HEADER,
    errors: reports.flatMap((r) => strings(r.report.errorMsg)),
    ...(images.length > 0 ? { artifact: images.join(', ') } : {}),
    ...(starts[0] ? { scannedAt: starts[0] } : {}),
  };
  return streamedReport(header, function* () {
    for (const { report, prefix } of reports) yield* cliFindings(report, prefix);
  });
}

/**
 * The API v2 listing is paged: a page that holds fewer items than `count` says so on the scan, as
 * the rest of the image's vulnerabilities are not in it.
 */
function parseListing(doc: JsonObject): ParsedReport {
  shape.check(doc, '', LISTING);
  const items = shape.objects(doc.result, 'result');
  const images = [...new Set(items.map((item) => str(item.image_name)).filter((image): image is string => image !== undefined))];
  const count = num(doc.count);
  const errors = count !== undefined && count > items.length
    ? [`This is page ${str(doc.page) ?? '?'} of an Aqua vulnerability listing of ${count} items and holds ${items.length}: the other pages are not in this scan.`]
    : [];
  const header = { ...HEADER, errors, ...(images.length > 0 ? { artifact: images.join(', ') } : {}) };
  return streamedReport(header, () => listingFindings(items));
}
