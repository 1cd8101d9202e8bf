import { InputError } from '../domain/errors.js';
import type { Finding, ParsedReport } from '../domain/finding.js';
import { severityFromLabel, severityFromScore, type Severity } from '../domain/severity.js';
import { cvssBaseScore } from './cvss.js';
import { canonicalVulnerabilityId, vulnerabilityFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { isObject, num, obj, objects, str, strings, type JsonObject } from './json.js';
import { type Fields, ReportShape } from './shape.js';

const shape = new ReportShape('OSV-Scanner report');

/** The fields of each OSV-Scanner object that the parser reads, and their types. */
const DOCUMENT: Fields = { results: 'objects' };
const RESULT: Fields = { source: 'object', packages: 'objects' };
const SOURCE: Fields = { path: 'text' };
const PACKAGE_ENTRY: Fields = { package: 'object', vulnerabilities: 'objects', groups: 'objects' };
const PACKAGE: Fields = { name: 'text', version: 'text', commit: 'text', ecosystem: 'text' };
const GROUP: Fields = { ids: 'texts', aliases: 'texts', max_severity: 'number' };
const DATABASE_SPECIFIC: Fields = { severity: 'text', type: 'text' };
const VULNERABILITY: Fields = {
  id: 'text', aliases: 'texts', summary: 'text', details: 'text', severity: 'objects', affected: 'objects', references: 'objects', database_specific: 'object',
};
const SEVERITY: Fields = { score: 'text' };
const REFERENCE: Fields = { url: 'text' };

/**
 * OSV-Scanner JSON (`osv-scanner --format json`): `results[]` per scanned source, `packages[]` per
 * vulnerable package, and `groups[]` that gather the ids OSV-Scanner considers one vulnerability
 * (an advisory and its aliases). One group in one package is one finding.
 */

function looksLikeResult(result: unknown): boolean {
  return isObject(result) && (Array.isArray(result.packages) || isObject(result.source));
}

/** The vulnerabilities of a package, gathered by the package's groups, one group per advisory set. */
function groupsOf(pkg: JsonObject, where: string): { ids: string[]; aliases: string[]; maxSeverity: unknown; vulnerabilities: JsonObject[] }[] {
  const vulnerabilities = shape.objects(pkg.vulnerabilities, `${where}.vulnerabilities`).map((v, i) => {
    const path = `${where}.vulnerabilities[${i}]`;
    shape.check(v, path, VULNERABILITY);
    objects(v.severity).forEach((s, k) => shape.check(s, `${path}.severity[${k}]`, SEVERITY));
    objects(v.references).forEach((r, k) => shape.check(r, `${path}.references[${k}]`, REFERENCE));
    shape.optionalObject(v.database_specific, `${path}.database_specific`, DATABASE_SPECIFIC);
    return v;
  });
  const byId = new Map(vulnerabilities.map((v) => [str(v.id), v]));
  const grouped = new Set<string>();
  const groups = shape.objects(pkg.groups, `${where}.groups`).map((group, i) => {
    shape.check(group, `${where}.groups[${i}]`, GROUP);
    const ids = strings(group.ids);
    ids.forEach((id) => grouped.add(id));
    const members = ids.map((id) => byId.get(id)).filter(isObject);
    return { ids, aliases: strings(group.aliases), maxSeverity: group.max_severity, vulnerabilities: members };
  });
  // Reports from before groups existed, or a vulnerability no group names: each is its own group.
  for (const v of vulnerabilities) {
    const id = str(v.id);
    if (id && !grouped.has(id)) groups.push({ ids: [id], aliases: strings(v.aliases), maxSeverity: undefined, vulnerabilities: [v] });
  }
  return groups;
}

/** The highest base score among the group's CVSS v3.x and v4.0 vectors. */
function vectorScore(vulnerabilities: readonly JsonObject[]): { score: number; vector: string } | undefined {
  let best: { score: number; vector: string } | undefined;
  for (const v of vulnerabilities) {
    for (const entry of objects(v.severity)) {
      const vector = str(entry.score);
      const score = vector === undefined ? undefined : cvssBaseScore(vector);
      if (vector && score !== undefined && (best === undefined || score > best.score)) best = { score, vector };
    }
  }
  return best;
}

interface Rated {
  severity: Severity;
  /** The advisory's own label (`database_specific.severity`) when the severity came from it. */
  scannerSeverity?: string;
  score?: number;
  /** The vector the score was computed from, shown as a raw detail. */
  vector?: string;
}

/**
 * `max_severity` (a numeric string OSV-Scanner computed), else the vectors, else the advisory's
 * label (GHSA `MODERATE`), else critical for a malicious package, else info.
 */
function rate(maxSeverity: unknown, vulnerabilities: readonly JsonObject[], ids: readonly string[]): Rated {
  const max = num(maxSeverity);
  const fromMax = max === undefined ? undefined : severityFromScore(max);
  if (max !== undefined && fromMax) return { severity: fromMax, score: max };
  const best = vectorScore(vulnerabilities);
  const fromVector = best ? severityFromScore(best.score) : undefined;
  if (best && fromVector) return { severity: fromVector, score: best.score, vector: best.vector };
  const labelled = advisoryLabel(vulnerabilities);
  if (labelled) return labelled;
  if (isMalicious(vulnerabilities, ids)) return { severity: 'critical' };
  return { severity: 'info' };
}

/** The first `database_specific.severity` label that says more than "unknown". */
function advisoryLabel(vulnerabilities: readonly JsonObject[]): Rated | undefined {
  for (const v of vulnerabilities) {
    const label = str(obj(v.database_specific)?.severity);
    const severity = label === undefined ? undefined : severityFromLabel(label);
    if (label && severity && severity !== 'info') return { severity, scannerSeverity: label };
  }
  return undefined;
}

/**
 * An advisory that the package itself is malware: OSV's `MAL-` ids (the OpenSSF malicious-packages
 * feed) and GitHub's malware advisories ("Malicious code in …", or typed malware). Installing such
 * a package is a compromise, whatever score the advisory lacks.
 */
function isMalicious(vulnerabilities: readonly JsonObject[], ids: readonly string[]): boolean {
  if (ids.some((id) => id.toUpperCase().startsWith('MAL-'))) return true;
  return vulnerabilities.some((v) => {
    const specific = obj(v.database_specific);
    return /^malicious (code|package)\b/i.test(str(v.summary) ?? '') || str(specific?.type)?.toLowerCase() === 'malware';
  });
}

/** The first `fixed` event of the affected ranges that name this package. */
function fixedVersion(vulnerabilities: readonly JsonObject[], name: string): string | undefined {
  for (const v of vulnerabilities) {
    for (const affected of objects(v.affected)) {
      const affectedName = str(obj(affected.package)?.name);
      if (affectedName !== undefined && affectedName !== name) continue;
      for (const range of objects(affected.ranges)) {
        const fixed = objects(range.events).map((e) => str(e.fixed)).find((f) => f !== undefined);
        if (fixed) return fixed;
      }
    }
  }
  return undefined;
}

function cwesOf(vulnerabilities: readonly JsonObject[]): string[] {
  const cwes = vulnerabilities.flatMap((v) => [
    ...strings(obj(v.database_specific)?.cwe_ids),
    ...objects(v.affected).flatMap((a) => objects(obj(a.database_specific)?.cwes).map((c) => str(c.cweId))),
  ]);
  return [...new Set(cwes.filter((c): c is string => c !== undefined))];
}

/**
 * A package found as a git commit (a submodule or vendored repository) has an empty name: the
 * repository it was found in, the result's source path, names it instead, versioned by the commit.
 */
function packageFindings(pkg: JsonObject, where: string, component: string | undefined): Finding[] {
  shape.check(pkg, where, PACKAGE_ENTRY);
  const info = shape.optionalObject(pkg.package, `${where}.package`, PACKAGE) ?? {};
  const commit = str(info.commit);
  const name = str(info.name) || (commit ? component : undefined);
  if (!name) {
    throw new InputError(commit
      ? `OSV-Scanner ${where} is a git commit with no "package.name" and its result no "source.path"; expected the repository the commit belongs to.`
      : `OSV-Scanner ${where} has no "package.name"; expected the name of the vulnerable package.`);
  }
  const version = str(info.version) || commit;
  return groupsOf(pkg, where).flatMap((group) => {
    const { id: vulnerabilityId, aliases } = canonicalVulnerabilityId([...group.ids, ...group.aliases]);
    if (vulnerabilityId === undefined) return []; // a group that names no id names no vulnerability
    const { vector, ...rated } = rate(group.maxSeverity, group.vulnerabilities, [...group.ids, ...group.aliases]);
    const first = group.vulnerabilities[0] ?? {};
    const references = [...new Set(group.vulnerabilities.flatMap((v) => objects(v.references).map((r) => str(r.url))))];
    const finding: Finding = {
      kind: 'vulnerability',
      fingerprint: vulnerabilityFingerprint({ vulnerabilityId, package: name, installedVersion: version }),
      ...rated,
      title: str(first.summary) ?? `${vulnerabilityId} in ${name}`,
      description: str(first.details),
      vulnerabilityId,
      package: name,
      installedVersion: version,
      fixedVersion: fixedVersion(group.vulnerabilities, name),
      ecosystem: str(info.ecosystem),
      occurrence: {},
    };
    if (component) finding.occurrence.component = component;
    if (vector) finding.occurrence.details = { cvssVector: vector };
    if (aliases.length > 0) finding.aliases = aliases;
    const cwes = cwesOf(group.vulnerabilities);
    if (cwes.length > 0) finding.cwes = cwes;
    const urls = references.filter((r): r is string => r !== undefined);
    if (urls.length > 0) finding.references = urls;
    return finding;
  });
}

export const osv: ReportFormat = {
  name: 'osv',
  title: 'OSV-Scanner JSON',
  producedBy: 'osv-scanner scan source --recursive --format json --output osv.json DIRECTORY (OSV-Scanner 1.x: osv-scanner --recursive --format json --output osv.json DIRECTORY)',

  detect(doc) {
    if (!isObject(doc) || !Array.isArray(doc.results) || 'errors' in doc) return false;
    return doc.results.length > 0 ? doc.results.every(looksLikeResult) : isObject(doc.experimental_config);
  },

  acceptsEmpty(doc) {
    return doc === undefined || (isObject(doc) && Array.isArray(doc.results) && doc.results.length === 0 && !('errors' in doc));
  },

  parse(doc) {
    const results = doc === undefined ? [] : shape.objects(shape.object(doc, '', DOCUMENT).results, 'results');
    return streamedReport({ format: 'osv', scanner: 'osv-scanner', scanType: 'sca', suppressed: 0, errors: [] }, function* () {
      for (let r = 0; r < results.length; r++) {
        const result = shape.check(results[r] as JsonObject, `results[${r}]`, RESULT);
        const component = str(shape.optionalObject(result.source, `results[${r}].source`, SOURCE)?.path);
        const packages = shape.objects(result.packages, `results[${r}].packages`);
        for (let p = 0; p < packages.length; p++) yield* packageFindings(packages[p] as JsonObject, `results[${r}].packages[${p}]`, component);
      }
    });
  },
};

