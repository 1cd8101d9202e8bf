import type { Finding, ParsedReport } from '../domain/finding.js';
import { distinct, firstSentence, nonEmpty, optional, scalarDetails } from './finding-fields.js';
import { canonicalVulnerabilityId, vulnerabilityFingerprint } from './fingerprint.js';
import { type ReportFormat, streamedReport } from './format.js';
import { arr, isObject, num, obj, objects, str, strings, type JsonObject } from './json.js';
import { fingerprintPackageName, mavenNameFromPurl } from './package-name.js';
import { severityFromScanner } from './scanner-severity.js';
import { type Fields, ReportShape } from './shape.js';
import { isoTimestamp } from './timestamp.js';

/**
 * Grype's JSON report (`grype IMAGE|DIR|SBOM -o json`), the current shape and the early one
 * (Grype 0.7: `links`, `cvssV3`, `fixedInVersion`, a single `matchDetails` object).
 *
 * Decisions:
 * - The canonical id is a CVE among the vulnerability's id and its `relatedVulnerabilities`; a
 *   GHSA id becomes an alias. Grype's label decides the severity (`Negligible` and `Unknown` are
 *   info); the CVSS v3 base score is provenance.
 * - Java archives are named `groupId:artifactId` (from the purl), as Trivy and Snyk name them, so the
 *   three scanners fingerprint the same Maven package alike.
 * - Each match is one finding at the artifact's first location (the file that gave the package
 *   away); the same CVE in the same package at two paths is one issue with two occurrences.
 * - `ignoredMatches` are counted as suppressed. Scan type `container` for image sources, `sca`
 *   otherwise.
 * - A report cut down to its `matches` (no `source`, no `descriptor`: some pipelines keep only
 *   those) is read as well; it is recognised by its first match holding a vulnerability and an
 *   artifact.
 * - EPSS (`vulnerability.epss[]`, or the match's `epss[]`) and Grype's `risk` are kept as details:
 *   the highest EPSS entry's score and percentile.
 */
export const grype: ReportFormat = {
  name: 'grype',
  title: 'Grype JSON',
  producedBy: 'grype IMAGE|DIR|SBOM -o json',
  detect(doc) {
    if (!isObject(doc) || !Array.isArray(doc.matches)) return false;
    return isObject(doc.descriptor) || isObject(doc.source) || looksLikeMatch(doc.matches[0]);
  },
  acceptsEmpty(doc) {
    return isObject(doc) && Array.isArray(doc.matches) && doc.matches.length === 0;
  },
  parse(doc) {
    const report = shape.object(doc, '', DOCUMENT);
    const matches = shape.objects(shape.list(report.matches, 'matches'), 'matches');
    const descriptor = shape.optionalObject(report.descriptor, 'descriptor', DESCRIPTOR) ?? {};
    const source = shape.optionalObject(report.source, 'source', SOURCE) ?? {};
    const target = obj(source.target);
    const artifact = str(source.target) ?? str(target?.userInput) ?? str(target?.imageID);
    const header = {
      format: 'grype',
      scanner: str(descriptor.name)?.toLowerCase() ?? 'grype',
      ...optional({ scannerVersion: str(descriptor.version) }),
      scanType: str(source.type) === 'image' ? ('container' as const) : ('sca' as const),
      suppressed: arr(report.ignoredMatches).length,
      errors: [],
      ...optional({ artifact, scannedAt: isoTimestamp(str(descriptor.timestamp)) }),
    };
    return streamedReport(header, function* (parsed) {
      for (let i = 0; i < matches.length; i++) {
        const finding = match(matches[i] as JsonObject, `matches[${i}]`);
        if (finding) yield finding;
        else parsed.errors.push(`Skipped matches[${i}]: it names no vulnerability id.`);
      }
    });
  },
};

const shape = new ReportShape('Grype report');

/** The fields of each Grype object that the parser reads, and their types. */
const DOCUMENT: Fields = { matches: 'list', descriptor: 'object', source: 'object', ignoredMatches: 'list' };
const DESCRIPTOR: Fields = { name: 'text', version: 'text', timestamp: 'text' };
const SOURCE: Fields = { type: 'text' };
const MATCH: Fields = { vulnerability: 'object', relatedVulnerabilities: 'objects', artifact: 'object', epss: 'objects', risk: 'number' };
const VULNERABILITY: Fields = {
  id: 'text', severity: 'text', description: 'text', dataSource: 'text', namespace: 'text', urls: 'texts', links: 'texts', fix: 'object',
  fixedInVersion: 'texts', cvss: 'objects', cvssV3: 'object', epss: 'objects', risk: 'number',
};
const EPSS: Fields = { cve: 'text', epss: 'number', percentile: 'number', date: 'text' };

function looksLikeMatch(m: unknown): boolean {
  return isObject(m) && isObject(m.vulnerability) && isObject(m.artifact);
}

/** The EPSS entry with the highest probability among the vulnerability's and the match's. */
function epssOf(m: JsonObject, vulnerability: JsonObject, path: string): { epss?: number; epssPercentile?: number } {
  const entries = [
    ...objects(vulnerability.epss).map((e, i) => shape.check(e, `${path}.vulnerability.epss[${i}]`, EPSS)),
    ...objects(m.epss).map((e, i) => shape.check(e, `${path}.epss[${i}]`, EPSS)),
  ];
  let best: { epss?: number; epssPercentile?: number } = {};
  for (const entry of entries) {
    const epss = num(entry.epss);
    if (epss !== undefined && (best.epss === undefined || epss > best.epss)) best = { epss, epssPercentile: num(entry.percentile) };
  }
  return best;
}
const FIX: Fields = { versions: 'texts', state: 'text' };
const ARTIFACT: Fields = { name: 'text', version: 'text', type: 'text', purl: 'text', locations: 'objects' };
const LOCATION: Fields = { path: 'text', layerID: 'text' };

function match(m: JsonObject, path: string): Finding | undefined {
  shape.check(m, path, MATCH);
  const vulnerability = shape.optionalObject(m.vulnerability, `${path}.vulnerability`, VULNERABILITY) ?? {};
  const related = objects(m.relatedVulnerabilities).map((r, i) => shape.check(r, `${path}.relatedVulnerabilities[${i}]`, VULNERABILITY));
  const { id, aliases } = canonicalVulnerabilityId([str(vulnerability.id), ...related.map((r) => str(r.id))]);
  if (!id) return undefined;
  const artifact = shape.optionalObject(m.artifact, `${path}.artifact`, ARTIFACT) ?? {};
  const type = str(artifact.type);
  const pkg = packageName(artifact);
  const installed = str(artifact.version);
  const fix = shape.optionalObject(vulnerability.fix, `${path}.vulnerability.fix`, FIX);
  const fixVersions = fix ? strings(fix.versions) : strings(vulnerability.fixedInVersion);
  const fixed = fixVersions.length > 0 ? fixVersions.join(', ') : undefined;
  const label = str(vulnerability.severity);
  const score = cvss3Score(vulnerability) ?? related.map(cvss3Score).find((s) => s !== undefined);
  const first = objects(artifact.locations)[0];
  const location = first && shape.check(first, `${path}.artifact.locations[0]`, LOCATION);
  const details = objects(m.matchDetails).length > 0 ? objects(m.matchDetails) : objects([m.matchDetails]);
  // A GitHub advisory's "description" in Grype is the advisory's summary, one line: its title.
  const summary = str(vulnerability.namespace)?.startsWith('github:') ? firstSentence(str(vulnerability.description)) : undefined;
  const relatedDescription = related.map((r) => str(r.description)).find((d) => d !== undefined);
  return {
    kind: 'vulnerability',
    fingerprint: vulnerabilityFingerprint({ vulnerabilityId: id, package: fingerprintPackageName(type, pkg), installedVersion: installed }),
    severity: severityFromScanner(label, score),
    ...optional({
      scannerSeverity: label,
      score,
      description: summary === undefined ? (str(vulnerability.description) ?? relatedDescription) : (relatedDescription ?? str(vulnerability.description)),
      remediation: fixed && pkg ? `Upgrade ${pkg} to ${fixed}.` : undefined,
      package: pkg,
      installedVersion: installed,
      fixedVersion: fixed,
      ecosystem: type,
    }),
    title: summary ?? (pkg ? `${id} in ${pkg}` : id),
    vulnerabilityId: id,
    ...nonEmpty({
      aliases,
      references: distinct([str(vulnerability.dataSource), ...strings(vulnerability.urls), ...strings(vulnerability.links)]),
    }),
    occurrence: {
      ...optional({ filePath: str(location?.path), layer: str(location?.layerID) }),
      ...scalarDetails({
        matcher: distinct(details.map((d) => str(d.matcher))).join(', ') || undefined,
        fixState: str(fix?.state),
        namespace: str(vulnerability.namespace),
        purl: str(artifact.purl),
        ...epssOf(m, vulnerability, path),
        risk: num(vulnerability.risk) ?? num(m.risk),
      }),
    },
  };
}

/** Grype names a Java archive by its artifactId alone; the purl gives `groupId:artifactId`. */
function packageName(artifact: JsonObject): string | undefined {
  return mavenNameFromPurl(str(artifact.purl)) ?? str(artifact.name);
}

/** The highest-version CVSS v3/v4 base score Grype lists (new shape: `cvss[]`; Grype 0.7: `cvssV3`). */
function cvss3Score(vulnerability: JsonObject): number | undefined {
  const scored = objects(vulnerability.cvss)
    .map((c) => ({ version: str(c.version) ?? '', score: num(obj(c.metrics)?.baseScore) }))
    .filter((c) => /^[34]/.test(c.version) && c.score !== undefined)
    .sort((a, b) => (a.version < b.version ? 1 : a.version > b.version ? -1 : 0));
  return scored[0]?.score ?? num(obj(vulnerability.cvssV3)?.baseScore);
}
