import { InputError } from '../domain/errors.js';
import type { Finding, ParsedReport } from '../domain/finding.js';
import { severityFromLabel, severityFromScore, type Severity } from '../domain/severity.js';
import { canonicalVulnerabilityId, vulnerabilityFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { isObject, num, obj, str, strings, type JsonObject } from './json.js';
import { type Fields, ReportShape } from './shape.js';

/**
 * Aqua image scans, in both shapes Aqua writes: the scanner CLI report (`image`, `resources[]`
 * with `nvd_*`, `vendor_*` and `aqua_*` severities and scores) and the API ("v2") report
 * (`image_name`, `cves[]` with string scores). Aqua writes `{}` for an image with nothing found.
 */

type Source = { label: string; score: string };

const shape = new ReportShape('Aqua report');

/** The fields of each Aqua object that the parser reads, and their types. */
const DOCUMENT: Fields = { image: 'text', image_name: 'text', resources: 'objects', cves: 'objects', scan_started: 'object', errorMsg: 'texts' };
const RESOURCE_ENTRY: Fields = { resource: 'object', vulnerabilities: 'objects' };
const RESOURCE: Fields = { name: 'text', version: 'text', format: 'text', path: 'text' };
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

function* cliFindings(doc: JsonObject): Generator<Finding> {
  const resources = shape.objects(doc.resources, 'resources');
  for (let r = 0; r < resources.length; r++) {
    const entry = shape.check(resources[r] as JsonObject, `resources[${r}]`, RESOURCE_ENTRY);
    const resource = shape.optionalObject(entry.resource, `resources[${r}].resource`, RESOURCE) ?? {};
    const vulnerabilities = shape.objects(entry.vulnerabilities, `resources[${r}].vulnerabilities`);
    for (let i = 0; i < vulnerabilities.length; i++) {
      yield vulnerabilityFinding(vulnerabilities[i] as JsonObject, `resources[${r}].vulnerabilities[${i}]`, {
        package: str(resource.name),
        installedVersion: str(resource.version),
        ecosystem: str(resource.format),
        filePath: str(resource.path),
      });
    }
  }
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
  producedBy: 'scannercli scan -H AQUA_SERVER --token TOKEN --local IMAGE --jsonfile aqua.json (or an image\'s scan result exported from the Aqua API)',

  detect(doc) {
    return isObject(doc) && (isCliReport(doc) || isApiReport(doc));
  },

  acceptsEmpty(doc) {
    return isObject(doc) && Object.keys(doc).length === 0;
  },

  parse(doc) {
    const report = shape.object(doc, '', DOCUMENT);
    const cli = isCliReport(report);
    const artifact = str(cli ? report.image : report.image_name);
    const scannedAt = scanStart(report.scan_started);
    const header = {
      format: 'aqua',
      scanner: 'aqua',
      scanType: 'container' as const,
      suppressed: 0,
      errors: strings(report.errorMsg),
      ...(artifact ? { artifact } : {}),
      ...(scannedAt ? { scannedAt } : {}),
    };
    return streamedReport(header, () => (cli ? cliFindings(report) : apiFindings(report)));
  },
};
